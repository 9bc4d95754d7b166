//! One exchange on a connection: the handler runs on the worker thread with the request
//! (head and body reader) and the response (head and body writer) as two halves over the
//! connection's I/O; what follows (keep-alive, close, the unread body) is decided here, in
//! one place.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;

use super::connection::{HttpConnection, http_date_now};
use super::request::{BodyRest, HttpServerRequest};
use super::response::HttpServerResponse;
use crate::http::message::{HttpMessage, HttpResponse, HttpStatus};
use crate::http::proto::BodyDecoder;
use crate::http::proto::server::{KeepAlivePolicy, ReceivedRequest};

/// How an exchange left the connection.
pub(crate) enum Served {
    /// Another request may follow, after the unread rest of this body (if any).
    KeepAlive(Option<Box<BodyDecoder>>),
    /// Close once the response is out.
    Close,
    /// The handler failed before sending anything: answer with this status and close.
    Failed(HttpStatus),
    /// The handler took the connection over.
    HandedOver,
}

impl HttpConnection {
    /// Runs the handler for `pending` (blocking I/O on this worker thread). The response's
    /// last bytes stay in the write buffer, for the connection to send from the poller.
    pub(super) fn exchange(&mut self, received: ReceivedRequest) -> Served {
        self.served += 1;
        let shared = self.shared.clone();
        let params = &shared.params;
        let ReceivedRequest { head, target, framing, .. } = received;
        // The server's side of the keep-alive decision; the response's framing can still
        // close (a close-delimited body), and a protocol switch ends HTTP.
        let policy = KeepAlivePolicy {
            enabled: params.keep_alive,
            max_requests: params.max_keep_alive_requests,
            stopping: shared.stopping.load(Ordering::Relaxed),
        };
        let keep_alive = policy.allows(&head, self.served);
        let mut prefilled = HttpResponse::with_version(head.version(), HttpStatus::OK);
        prefilled.set("Date", &http_date_now());
        prefilled.set_keep_alive(keep_alive);
        if !params.software_version.is_empty() {
            prefilled.set("Server", &params.software_version);
        }
        let is_head = head.method() == "HEAD";
        let is_connect = head.method() == "CONNECT";
        let mut request = HttpServerRequest::new(
            head,
            (target, framing),
            &self.io,
            (self.client, self.server),
            self.secure,
        );
        let mut response =
            HttpServerResponse::new(prefilled, &self.io, (is_head, is_connect), &shared.stopping);
        let outcome =
            catch_unwind(AssertUnwindSafe(|| match shared.factory.create_request_handler(&request) {
                Some(mut handler) => handler.handle_request(&mut request, &mut response).map(|()| true),
                None => Ok(false),
            }));
        let failure = match outcome {
            Ok(Ok(true)) => None,
            Ok(Ok(false)) => Some(HttpStatus::NOT_IMPLEMENTED),
            Ok(Err(e)) => {
                log::warn!("HttpServer: handler for {} {} failed: {e}", request.method(), request.uri());
                Some(match request.body_error() {
                    Some(true) => HttpStatus::REQUEST_TIMEOUT,
                    Some(false) => HttpStatus::BAD_REQUEST,
                    None => HttpStatus::INTERNAL_SERVER_ERROR,
                })
            }
            Err(_) => {
                log::error!("HttpServer: handler for {} {} panicked", request.method(), request.uri());
                Some(HttpStatus::INTERNAL_SERVER_ERROR)
            }
        };
        if self.io.borrow().detached {
            return Served::HandedOver;
        }
        if let Some(status) = failure {
            return if response.sent() { Served::Close } else { Served::Failed(status) };
        }
        if let Err(e) = response.complete() {
            log::debug!("HttpServer: response to {} failed: {e}", self.client);
            return Served::Close;
        }
        let keep = response.keeps_alive() && !self.io.borrow().switched;
        drop(response);
        if !keep {
            return Served::Close;
        }
        match request.finish_buffered() {
            BodyRest::Done => Served::KeepAlive(None),
            BodyRest::Unread(decoder) => Served::KeepAlive(Some(decoder)),
            BodyRest::Close => Served::Close,
        }
    }
}
