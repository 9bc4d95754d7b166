// POCO's HTTPTimeServer handler on POCO's HTTPServer (and /hello, 13 bytes): the C++ peer
// of examples/http_server.rs for `cargo xtask bench server`.
// Build: g++ -O2 -o poco_http_server poco_http_server.cpp -lPocoNet -lPocoUtil -lPocoFoundation
// Usage: poco_http_server <port> <threads>; prints "listening on 127.0.0.1:<port>" when ready
// and serves until its standard input closes.
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

using namespace Poco::Net;

class TimeRequestHandler: public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
        Poco::Timestamp now;
        std::string dt(Poco::DateTimeFormatter::format(now, Poco::DateTimeFormat::SORTABLE_FORMAT));
        response.setChunkedTransferEncoding(true);
        response.setContentType("text/html");
        std::ostream& ostr = response.send();
        ostr << "<html><head><title>HTTPTimeServer powered by POCO C++ Libraries</title>";
        ostr << "<meta http-equiv=\"refresh\" content=\"1\"></head>";
        ostr << "<body><p style=\"text-align: center; font-size: 48px;\">";
        ostr << dt;
        ostr << "</p></body></html>";
    }
};

// GET /hello: the benchmarks' fixed 13-byte answer, as every server in the bench sends it.
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
    if (argc != 3) {
        std::fprintf(stderr, "usage: poco_http_server <port> <threads>\n");
        return 2;
    }
    int threads = std::atoi(argv[2]);
    ServerSocket svs(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::atoi(argv[1]))));
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
    return 0;
}
