// POCO's HTTPSTimeServer handler on POCO's HTTPServer over a SecureServerSocket: the C++ peer
// of examples/https_server.rs for `cargo xtask bench https-server`.
// Build: g++ -O2 -o poco_https_server poco_https_server.cpp -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
// Usage: poco_https_server <port> <threads> <cert.pem> <key.pem> [tickets]; prints
// "listening on 127.0.0.1:<port>" when ready and serves until its standard input closes.
// Without `tickets` the server refuses session resumption, as examples/https_server.rs does
// (its Context keeps no session cache and issues no tickets): every handshake is a full one.
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

using namespace Poco::Net;

class TimeRequestHandler: public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        // The sample logs every request; so does the Rust port (one line on stdout), so both
        // pay for it. One write per line, as Rust's line-buffered stdout does.
        std::string line = "request from " + request.clientAddress().toString() + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
        SecureStreamSocket socket = static_cast<HTTPServerRequestImpl&>(request).socket();
        std::string client;
        if (socket.havePeerCertificate()) client = socket.peerCertificate().commonName();

        Poco::Timestamp now;
        std::string dt(Poco::DateTimeFormatter::format(now, Poco::DateTimeFormat::SORTABLE_FORMAT));
        response.setChunkedTransferEncoding(true);
        response.setContentType("text/html");
        std::ostream& ostr = response.send();
        ostr << "<html><head><title>HTTPSTimeServer powered by POCO C++ Libraries</title>";
        ostr << "<meta http-equiv=\"refresh\" content=\"1\"></head>";
        ostr << "<body><p style=\"text-align: center; font-size: 48px;\">";
        ostr << dt;
        ostr << "</p>";
        // Never taken here (VERIFY_NONE asks for no client certificate); kept as in the port.
        if (!client.empty()) ostr << "<p style=\"text-align: center;\">client certificate: " << client << "</p>";
        ostr << "</body></html>\n";
    }
};

// GET /hello: the benchmarks' fixed 13-byte answer (not logged), as every server sends it.
class HelloRequestHandler: public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
        response.setContentType("text/plain");
        response.sendBuffer("Hello, world!", 13);
    }
};

class TimeRequestHandlerFactory: public HTTPRequestHandlerFactory {
public:
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
        if (request.getURI() == "/") return new TimeRequestHandler;
        if (request.getURI() == "/hello") return new HelloRequestHandler;
        return nullptr;
    }
};

int main(int argc, char** argv) {
    bool tickets = argc == 6 && std::string(argv[5]) == "tickets";
    if (argc != 5 && !tickets) {
        std::fprintf(stderr, "usage: poco_https_server <port> <threads> <cert.pem> <key.pem> [tickets]\n");
        return 2;
    }
    int threads = std::atoi(argv[2]);
    initializeSSL();
    // The Context of the HTTPSTimeServer sample's configuration (and of examples/https_server.rs).
    Context::Ptr context = new Context(Context::SERVER_USE, argv[4], argv[3], "", Context::VERIFY_NONE, 9, false,
                                       "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
    // The server-side session cache is off by default, but OpenSSL still issues stateless
    // TLS 1.3 tickets, and wrk resumes any session the server lets it resume.
    if (!tickets) context->disableStatelessSessionResumption();
    SecureServerSocket svs(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::atoi(argv[1]))), 64, context);
    HTTPServerParams* params = new HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(100);
    // The default pool has 16 threads; a keep-alive connection holds one thread in POCO.
    Poco::ThreadPool pool(2, threads);
    HTTPServer srv(new TimeRequestHandlerFactory, pool, svs, params);
    srv.start();
    std::printf("listening on %s\n", svs.address().toString().c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {}
    srv.stop();
    uninitializeSSL();
    return 0;
}
