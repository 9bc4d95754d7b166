// The C++ POCO peer of crates/netssl/tests/poco_interop.rs (Debian's libpoco-dev, NetSSL on
// OpenSSL). Build: g++ -O2 -o poco_https poco_https.cpp -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
//
//   poco_https get <host> <port> <ca.pem> <requests> [<client.pem> <client.key>]
//       HTTPSClientSession with keep-alive: POSTs "request <i>" to /poco/<i> <requests> times
//       and prints, per response, "<status> <reason>|<body>"; then "reused <0|1>" (whether
//       all requests went over one connection, judged by the session's socket). VERIFY_RELAXED
//       against <ca.pem>; presents the client certificate if given.
//   poco_https serve <cert.pem> <key.pem> <ca.pem or ->
//       HTTPServer over SecureServerSocket on 127.0.0.1:0 (VERIFY_RELAXED with a CA: a client
//       certificate is asked for and checked if sent); prints "listening on ADDR", then serves
//       until stdin closes. Each response body is "POCO saw <method> <uri> <body-length>
//       <client-cn or ->".
// Errors go to stderr with exit code 1.
#include <Poco/Exception.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

using namespace Poco::Net;

static const char* CIPHERS = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH";

class EchoHandler: public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        SecureStreamSocket socket = static_cast<HTTPServerRequestImpl&>(request).socket();
        std::string client = socket.havePeerCertificate() ? socket.peerCertificate().commonName() : "-";
        std::ostringstream text;
        text << "POCO saw " << request.getMethod() << " " << request.getURI() << " " << body.size() << " " << client;
        std::string out = text.str();
        response.setContentType("text/plain");
        response.setContentLength(static_cast<std::streamsize>(out.size()));
        response.send() << out;
    }
};

class Factory: public HTTPRequestHandlerFactory {
public:
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new EchoHandler; }
};

static int get(int argc, char** argv) {
    std::string host = argv[2];
    Poco::UInt16 port = static_cast<Poco::UInt16>(std::atoi(argv[3]));
    int requests = std::atoi(argv[5]);
    std::string cert = argc == 8 ? argv[6] : "";
    std::string key = argc == 8 ? argv[7] : "";
    // A failed verification must fail the request, not ask a console handler.
    Poco::SharedPtr<InvalidCertificateHandler> reject = new RejectCertificateHandler(false);
    Context::Ptr context =
        new Context(Context::TLS_CLIENT_USE, key, cert, argv[4], Context::VERIFY_RELAXED, 9, false, CIPHERS);
    SSLManager::instance().initializeClient(nullptr, reject, context);
    HTTPSClientSession session(host, port, context);
    session.setKeepAlive(true);
    std::string first;
    bool same = true;
    for (int i = 0; i < requests; ++i) {
        std::string body = "request " + std::to_string(i);
        HTTPRequest request(HTTPRequest::HTTP_POST, "/poco/" + std::to_string(i), HTTPMessage::HTTP_1_1);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        HTTPResponse response;
        std::istream& rs = session.receiveResponse(response);
        std::string text;
        Poco::StreamCopier::copyToString(rs, text);
        std::printf("%d %s|%s\n", static_cast<int>(response.getStatus()), response.getReason().c_str(), text.c_str());
        std::string local = session.socket().address().toString();
        if (i == 0) first = local;
        same = same && local == first;
    }
    std::printf("reused %d\n", same ? 1 : 0);
    return 0;
}

static int serve(char** argv) {
    std::string ca = argv[4];
    bool mtls = ca != "-";
    Context::Ptr context = new Context(Context::TLS_SERVER_USE, argv[3], argv[2], mtls ? ca : "",
                                       mtls ? Context::VERIFY_RELAXED : Context::VERIFY_NONE, 9, false, CIPHERS);
    Poco::SharedPtr<InvalidCertificateHandler> reject = new RejectCertificateHandler(true);
    SSLManager::instance().initializeServer(nullptr, reject, context);
    SecureServerSocket socket(SocketAddress("127.0.0.1", 0), 64, context);
    HTTPServerParams* params = new HTTPServerParams;
    params->setMaxThreads(4);
    HTTPServer server(new Factory, socket, params);
    server.start();
    std::printf("listening on %s\n", socket.address().toString().c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {}
    server.stop();
    return 0;
}

int main(int argc, char** argv) {
    initializeSSL();
    int rc = 2;
    try {
        std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "get" && (argc == 6 || argc == 8)) rc = get(argc, argv);
        else if (mode == "serve" && argc == 5) rc = serve(argv);
        else std::fprintf(stderr, "usage: poco_https get|serve ... (see the source)\n");
    } catch (const Poco::Exception& e) {
        std::fprintf(stderr, "%s\n", e.displayText().c_str());
        rc = 1;
    }
    uninitializeSSL();
    return rc;
}
