//! # rpoco-net
//!
//! The port of POCO's Net module: sockets ([`SocketAddress`], [`StreamSocket`],
//! [`ServerSocket`], [`DatagramSocket`], [`SocketStream`]), the HTTP message model, the
//! HTTP client session, [`TcpServer`] and [`HttpServer`]. HTTP/1.1 framing is a
//! sans-IO core that plain sockets and TLS (from `rpoco-netssl`) both drive through one
//! transport abstraction, [`Transport`], opened by a [`Connector`].
//!
//! ```
//! use rpoco_net::{ServerSocket, SocketAddress, StreamSocket};
//! let server = ServerSocket::bind(&SocketAddress::parse("127.0.0.1:0")?, false)?;
//! let client = StreamSocket::connect(&server.address()?)?;
//! let (peer, _) = server.accept_connection()?;
//! client.send_bytes(b"ping")?;
//! let mut buf = [0u8; 4];
//! assert_eq!(peer.receive_bytes(&mut buf)?, 4);
//! # Ok::<(), rpoco_net::Error>(())
//! ```

mod connect;
mod copy;
mod dialog;
mod dns;
mod error;
pub mod ftp;
pub mod http;
mod interface;
pub mod mail;
pub mod reactor;
mod socket;
mod tcp_server;
mod udp;
pub mod websocket;

pub use connect::{Chain, ConnectOptions, Hooks, RFC8305_ATTEMPT_DELAY, ResolveFn, Route, connect_tcp};
pub use dialog::{
    DialogError, DialogLimits, DialogProtocol, DialogSocket, LineReader, Reply, ReplyParser, StatusClass,
    telnet,
};
pub use dns::{Dns, HostEntry, Resolver};
pub use error::{BoxError, Detail, Error, ErrorKind, Limit, Result, Timeout};
pub use http::client::ClientSession;
pub use http::client::{
    AbortHandle, HttpClientSession, HttpResponseStream, HttpStreamFactory, Opened, ProxyAuth, ProxyConfig,
    RequestBody, ResponseBody, UriStreamFactory, UriStreamOpener,
};
pub use http::client::{
    Agent, AgentBuilder, AgentRequest, AgentResponse, Body, DEFAULT_BODY_LIMIT, RedirectPolicy,
};
pub use http::client::{CookieJarLimits, HttpCookieJar, StoredCookie};
pub use http::client::{FileStreamFactory, HttpSessionFactory, HttpSessionInstantiator, SessionInstantiator};
pub use http::client::{UriOpened, UriRequest, UriResponse};
pub use http::message::{AuthScheme, DigestAlgorithm, HttpAuthenticationParams, HttpCredentials};
pub use http::message::{
    CHUNKED_TRANSFER_ENCODING, ENCODING_MULTIPART, ENCODING_URL, FilePart, HTTP_1_0, HTTP_1_1, HeaderLimits,
    HtmlForm, HttpBasicCredentials, HttpCookie, HttpDigestCredentials, HttpMessage, HttpRequest,
    HttpResponse, HttpStatus, IDENTITY_TRANSFER_ENCODING, MediaType, MessageHeader, NameValueCollection,
    PartSource, SameSite, decode_words, quote, split_elements, split_parameters,
};
pub use http::message::{HttpNtlmCredentials, NtlmChallenge, NtlmCredentials};
pub use http::message::{
    MultipartLimits, MultipartReader, MultipartWriter, NullPartHandler, PartHandler, PartStore, StoredPart,
};
pub use http::message::{OAuth10Credentials, OAuth20Credentials, OAuthSignatureMethod};
pub use http::proto;
pub use http::proto::server::TargetForm;
pub use http::server::{
    HandlerFn, HttpRequestHandler, HttpRequestHandlerFactory, HttpServer, HttpServerParams,
    HttpServerRequest, HttpServerResponse, ResponseStream, handler_fn, media_type_for_path,
};
pub use http::{CompressionOptions, ContentCoding, accepted_coding, send_compressed};
pub use interface::{InterfaceAddress, NetworkInterface};
pub use reactor::{
    HandlerId, HandlerPanic, Notification, ParallelSocketAcceptor, ParallelSocketReactor, ServiceHandler,
    SocketAcceptor, SocketConnector, SocketReactor,
};
pub use socket::ConnectionInfo;
pub use socket::{
    AddressFamily, Connector, DEFAULT_BACKLOG, DatagramSocket, DetachedConnection, IpAddress, Listener,
    PlainConnector, ServerSocket, SocketAddress, SocketStream, StreamSocket, Transport,
};
pub use socket::{IpAddressExt, LocalConnector, MulticastSocket, ip_mask};
pub use socket::{PollMode, PollSet, Socket, SocketId};
pub use tcp_server::{
    ConnectionFilter, Next, TcpServer, TcpServerConnection, TcpServerConnectionFactory, TcpServerParams,
};
pub use udp::{UdpClient, UdpHandler, UdpServer, UdpServerParams, UdpServerStats};
