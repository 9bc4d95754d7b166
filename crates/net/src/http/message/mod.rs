//! The HTTP message model: header collections, requests, responses, status codes,
//! cookies, media types, forms and credentials.
//!
//! ```
//! use rpoco_net::{HttpMessage, HttpRequest, HttpResponse, HttpStatus, HTTP_1_1};
//! let mut req = HttpRequest::new(HttpRequest::HTTP_POST, "/api", HTTP_1_1);
//! req.set_content_type("application/json");
//! req.set_content_length(Some(2));
//! let res = HttpResponse::with_version(HTTP_1_1, HttpStatus::CREATED);
//! assert_eq!(res.reason(), "Created");
//! assert!(req.keep_alive() && res.keep_alive());
//! ```

mod cookie;
mod credentials;
mod form;
mod header;
mod media_type;
pub use media_type::MediaType;
#[allow(clippy::module_inception)]
mod message;
mod name_value;
mod request;
mod response;
mod status;

pub use cookie::{HttpCookie, SameSite};
pub use credentials::{HttpBasicCredentials, HttpDigestCredentials};
pub use form::{ENCODING_MULTIPART, ENCODING_URL, FilePart, HtmlForm, PartSource};
pub(crate) use header::trim_ows;
pub use header::{HeaderLimits, MessageHeader, decode_words, quote, split_elements, split_parameters};
pub use message::{CHUNKED_TRANSFER_ENCODING, HTTP_1_0, HTTP_1_1, HttpMessage, IDENTITY_TRANSFER_ENCODING};
pub use name_value::NameValueCollection;
pub use request::HttpRequest;
pub use response::HttpResponse;
pub use status::HttpStatus;
