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

mod auth_params;
mod cookie;
mod credentials;
mod digest;
mod form;
mod header;
mod http_credentials;
mod media_type;
pub use media_type::MediaType;
#[allow(clippy::module_inception)]
mod message;
mod multipart;
mod name_value;
mod ntlm;
mod oauth;
mod request;
mod response;
mod status;

pub use auth_params::HttpAuthenticationParams;
pub use cookie::{HttpCookie, SameSite};
pub use credentials::HttpBasicCredentials;
pub use digest::{DigestAlgorithm, HttpDigestCredentials};
pub use form::{ENCODING_MULTIPART, ENCODING_URL, FilePart, HtmlForm, PartSource};
pub(crate) use header::trim_ows;
pub use header::{HeaderLimits, MessageHeader, decode_words, quote, split_elements, split_parameters};
pub use http_credentials::{AuthScheme, HttpCredentials};
pub use message::{CHUNKED_TRANSFER_ENCODING, HTTP_1_0, HTTP_1_1, HttpMessage, IDENTITY_TRANSFER_ENCODING};
pub use multipart::{
    MultipartLimits, MultipartReader, MultipartWriter, NullPartHandler, PartHandler, PartStore, StoredPart,
};
pub use name_value::NameValueCollection;
pub use ntlm::{HttpNtlmCredentials, NtlmChallenge, NtlmCredentials};
pub use oauth::{OAuth10Credentials, OAuth20Credentials, OAuthSignatureMethod};
pub use request::HttpRequest;
pub use response::HttpResponse;
pub use status::HttpStatus;
