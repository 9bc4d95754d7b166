//! [`UriStreamOpener::open_request`]: a URI opened with a method, headers and a body, giving
//! the final response (status, headers, URL after redirects) with the body stream.

use std::io::Read;

use rpoco_foundation::Uri;

use super::agent::{Agent, RedirectPolicy};
use super::stream_factory::{HttpStreamFactory, Opened, UriStreamFactory, UriStreamOpener};
use crate::error::{Error, ErrorKind, Result};
use crate::http::message::{HttpResponse, HttpStatus};

/// What [`UriStreamOpener::open_request`] sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriRequest {
    /// The method (default `GET`).
    pub method: String,
    /// Header fields to send.
    pub headers: Vec<(String, String)>,
    /// The body (sent with `Content-Length` when not empty, or for POST and PUT).
    pub body: Vec<u8>,
}

impl Default for UriRequest {
    fn default() -> Self {
        UriRequest { method: "GET".into(), headers: Vec::new(), body: Vec::new() }
    }
}

impl UriRequest {
    /// A request with `method` and no body.
    pub fn new(method: &str) -> Self {
        UriRequest { method: method.to_owned(), ..Default::default() }
    }

    /// Adds a header field.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

/// The final response of [`UriStreamOpener::open_request`].
pub struct UriResponse {
    /// The response head (status, reason, headers).
    pub head: HttpResponse,
    /// The URL the response came from, after redirects.
    pub url: Uri,
    /// The body.
    pub body: Box<dyn Read + Send>,
}

impl std::fmt::Debug for UriResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UriResponse")
            .field("head", &self.head)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl UriResponse {
    /// The status.
    pub fn status(&self) -> HttpStatus {
        self.head.status()
    }
}

/// What a factory's [`open_request`](UriStreamFactory::open_request) produced.
#[derive(Debug)]
pub enum UriOpened {
    /// The final response.
    Response(UriResponse),
    /// Continue at this URI (another scheme's factory), with this request.
    Redirect(Uri, UriRequest),
}

/// The default `open_request`: `GET` through `open`.
pub(super) fn open_request_with_open<F: UriStreamFactory + ?Sized>(
    factory: &F,
    uri: &Uri,
    request: &UriRequest,
) -> Result<UriOpened> {
    if !request.method.eq_ignore_ascii_case("GET") || !request.body.is_empty() || !request.headers.is_empty()
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("the {} factory opens GET without headers or body only", uri.scheme()),
        ));
    }
    Ok(match factory.open(uri)? {
        Opened::Stream(body) => UriOpened::Response(UriResponse {
            head: HttpResponse::new(HttpStatus::OK),
            url: uri.clone(),
            body,
        }),
        Opened::Redirect(next) => UriOpened::Redirect(next, request.clone()),
    })
}

impl HttpStreamFactory {
    /// [`UriStreamFactory::open_request`] for this factory's scheme: an [`Agent`] with its
    /// connector, proxy, redirect bound and timeout; any final status is returned (not an
    /// error); a redirect to another scheme comes back as [`UriOpened::Redirect`].
    pub fn open_request_stream(&self, uri: &Uri, request: &UriRequest) -> Result<UriOpened> {
        let scheme = self.connector.scheme();
        let mut b = Agent::builder()
            .connector(scheme, self.connector.clone())
            .redirects(RedirectPolicy::Limit(self.max_redirects))
            .http_status_as_error(false)
            .decompress(false)
            .cookie_jar(None)
            .return_foreign_redirects();
        if let Some(p) = &self.proxy {
            b = b.proxy(p.clone());
        }
        if self.timeout.is_some() {
            b = b.timeout(self.timeout);
        }
        let agent = b.build();
        let mut r = agent.request(&request.method, &uri.to_string());
        for (n, v) in &request.headers {
            r = r.header(n, v);
        }
        let res = if request.body.is_empty() && !matches!(request.method.as_str(), "POST" | "PUT") {
            r.call()?
        } else {
            r.send(&request.body)?
        };
        if res.status().is_redirection()
            && let Some(loc) = res.header("Location")
        {
            let mut next = res.url().clone();
            next.resolve(loc)?;
            if !next.scheme().eq_ignore_ascii_case(scheme) {
                let mut again = request.clone();
                if res.status().code() == 303
                    || (matches!(res.status().code(), 301 | 302) && request.method == "POST")
                {
                    again = UriRequest { method: "GET".into(), body: Vec::new(), ..again };
                }
                return Ok(UriOpened::Redirect(next, again));
            }
        }
        let url = res.url().clone();
        let (head, body) = res.into_parts();
        Ok(UriOpened::Response(UriResponse { head, url, body: Box::new(body) }))
    }
}

impl UriStreamOpener {
    /// Opens `uri` with `request`'s method, headers and body and returns the final response
    /// (status, headers, URL after redirects, body stream), following redirects between
    /// schemes (bounded). Unlike [`open`](Self::open), a 4xx or 5xx status is returned,
    /// not an error.
    pub fn open_request(&self, uri: &str, request: UriRequest) -> Result<UriResponse> {
        let mut uri = Uri::parse(uri)?;
        let mut request = request;
        for _ in 0..10 {
            match self.factory(uri.scheme())?.open_request(&uri, &request)? {
                UriOpened::Response(r) => return Ok(r),
                UriOpened::Redirect(next, again) => {
                    uri = next;
                    request = again;
                }
            }
        }
        Err(Error::new(ErrorKind::Http, format!("too many redirects between schemes at {uri}")))
    }
}
