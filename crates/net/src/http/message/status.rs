//! [`HttpStatus`]: response status codes with POCO's reason phrases.

use std::fmt;

/// An HTTP status code (POCO `HTTPResponse::HTTPStatus`). Any three-digit number can
/// arrive from the network, so this is a number with named constants rather than an enum.
///
/// [`reason`](Self::reason) gives POCO's reason phrases exactly ("Request Time-out",
/// "Gateway Time-Out", ...), except for 308, which gets the RFC 9110 phrase "Permanent
/// Redirect" where POCO has `???`.
///
/// ```
/// use rpoco_net::HttpStatus;
/// assert_eq!(HttpStatus::NOT_FOUND.reason(), "Not Found");
/// assert_eq!(HttpStatus(308).reason(), "Permanent Redirect");
/// assert_eq!(HttpStatus(299).reason(), "???");
/// assert!(HttpStatus(204).is_success());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HttpStatus(pub u16);

macro_rules! statuses {
    ($($name:ident = $code:literal, $reason:literal;)*) => {
        impl HttpStatus {
            $(
                #[doc = concat!("`", stringify!($code), " ", $reason, "`")]
                pub const $name: HttpStatus = HttpStatus($code);
            )*

            /// The reason phrase POCO uses for this code, `???` for codes it does not know.
            pub fn reason(self) -> &'static str {
                match self.0 {
                    $($code => $reason,)*
                    _ => "???",
                }
            }
        }
    };
}

statuses! {
    CONTINUE = 100, "Continue";
    SWITCHING_PROTOCOLS = 101, "Switching Protocols";
    PROCESSING = 102, "Processing";
    OK = 200, "OK";
    CREATED = 201, "Created";
    ACCEPTED = 202, "Accepted";
    NONAUTHORITATIVE = 203, "Non-Authoritative Information";
    NO_CONTENT = 204, "No Content";
    RESET_CONTENT = 205, "Reset Content";
    PARTIAL_CONTENT = 206, "Partial Content";
    MULTI_STATUS = 207, "Multi Status";
    ALREADY_REPORTED = 208, "Already Reported";
    IM_USED = 226, "IM Used";
    MULTIPLE_CHOICES = 300, "Multiple Choices";
    MOVED_PERMANENTLY = 301, "Moved Permanently";
    FOUND = 302, "Found";
    SEE_OTHER = 303, "See Other";
    NOT_MODIFIED = 304, "Not Modified";
    USE_PROXY = 305, "Use Proxy";
    TEMPORARY_REDIRECT = 307, "Temporary Redirect";
    PERMANENT_REDIRECT = 308, "Permanent Redirect";
    BAD_REQUEST = 400, "Bad Request";
    UNAUTHORIZED = 401, "Unauthorized";
    PAYMENT_REQUIRED = 402, "Payment Required";
    FORBIDDEN = 403, "Forbidden";
    NOT_FOUND = 404, "Not Found";
    METHOD_NOT_ALLOWED = 405, "Method Not Allowed";
    NOT_ACCEPTABLE = 406, "Not Acceptable";
    PROXY_AUTHENTICATION_REQUIRED = 407, "Proxy Authentication Required";
    REQUEST_TIMEOUT = 408, "Request Time-out";
    CONFLICT = 409, "Conflict";
    GONE = 410, "Gone";
    LENGTH_REQUIRED = 411, "Length Required";
    PRECONDITION_FAILED = 412, "Precondition Failed";
    REQUEST_ENTITY_TOO_LARGE = 413, "Request Entity Too Large";
    REQUEST_URI_TOO_LONG = 414, "Request-URI Too Large";
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported Media Type";
    REQUESTED_RANGE_NOT_SATISFIABLE = 416, "Requested Range Not Satisfiable";
    EXPECTATION_FAILED = 417, "Expectation Failed";
    IM_A_TEAPOT = 418, "I'm a Teapot";
    ENCHANCE_YOUR_CALM = 420, "Enchance Your Calm";
    MISDIRECTED_REQUEST = 421, "Misdirected Request";
    UNPROCESSABLE_ENTITY = 422, "Unprocessable Entity";
    LOCKED = 423, "Locked";
    FAILED_DEPENDENCY = 424, "Failed Dependency";
    TOO_EARLY = 425, "Too Early";
    UPGRADE_REQUIRED = 426, "Upgrade Required";
    PRECONDITION_REQUIRED = 428, "Precondition Required";
    TOO_MANY_REQUESTS = 429, "Too Many Requests";
    REQUEST_HEADER_FIELDS_TOO_LARGE = 431, "Request Header Fields Too Large";
    UNAVAILABLE_FOR_LEGAL_REASONS = 451, "Unavailable For Legal Reasons";
    INTERNAL_SERVER_ERROR = 500, "Internal Server Error";
    NOT_IMPLEMENTED = 501, "Not Implemented";
    BAD_GATEWAY = 502, "Bad Gateway";
    SERVICE_UNAVAILABLE = 503, "Service Unavailable";
    GATEWAY_TIMEOUT = 504, "Gateway Time-Out";
    VERSION_NOT_SUPPORTED = 505, "HTTP Version Not Supported";
    VARIANT_ALSO_NEGOTIATES = 506, "Variant Also Negotiates";
    INSUFFICIENT_STORAGE = 507, "Insufficient Storage";
    LOOP_DETECTED = 508, "Loop Detected";
    NOT_EXTENDED = 510, "Not Extended";
    NETWORK_AUTHENTICATION_REQUIRED = 511, "Network Authentication Required";
}

impl HttpStatus {
    /// The numeric code.
    pub fn code(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub fn is_informational(self) -> bool {
        (100..200).contains(&self.0)
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 3xx.
    pub fn is_redirection(self) -> bool {
        (300..400).contains(&self.0)
    }

    /// 4xx.
    pub fn is_client_error(self) -> bool {
        (400..500).contains(&self.0)
    }

    /// 5xx.
    pub fn is_server_error(self) -> bool {
        (500..600).contains(&self.0)
    }
}

impl fmt::Display for HttpStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u16> for HttpStatus {
    fn from(code: u16) -> Self {
        HttpStatus(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poco_reasons() {
        assert_eq!(HttpStatus(408).reason(), "Request Time-out");
        assert_eq!(HttpStatus(504).reason(), "Gateway Time-Out");
        assert_eq!(HttpStatus(414).reason(), "Request-URI Too Large");
        assert_eq!(HttpStatus(207).reason(), "Multi Status");
        assert_eq!(HttpStatus(420).reason(), "Enchance Your Calm");
        assert_eq!(HttpStatus(509).reason(), "???");
    }
}
