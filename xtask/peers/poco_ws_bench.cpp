// WebSocket echo load with POCO's WebSocket: the C++ peer of
// crates/netssl/examples/bench_websocket.rs for `cargo xtask bench websocket`.
// Build: g++ -O2 -o poco_ws_bench poco_ws_bench.cpp -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
//
//   poco_ws_bench server [--tls CERT KEY]
//       echo server at /ws on 127.0.0.1 (HTTPServer); prints "listening on 127.0.0.1:PORT"
//   poco_ws_bench client PORT SIZE SECONDS [--tls CA]
//       binary messages of SIZE bytes, one round trip at a time, for SECONDS
// The client prints `round_trips=N bytes=B seconds=S`.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/WebSocket.h>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace Poco::Net;

// Reads one whole message (POCO's receiveFrame gives frames; the peers send one frame each).
static int receiveMessage(WebSocket& ws, std::vector<char>& buf, int& flags) {
    return ws.receiveFrame(buf.data(), static_cast<int>(buf.size()), flags);
}

class Echo : public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            WebSocket ws(request, response);
            ws.setReceiveTimeout(Poco::Timespan(30, 0));
            std::vector<char> buf(1 << 20);
            int flags = 0, n = 0;
            do {
                n = receiveMessage(ws, buf, flags);
                int op = flags & WebSocket::FRAME_OP_BITMASK;
                if (n == 0 && flags == 0) break;
                if (op == WebSocket::FRAME_OP_CLOSE) {
                    ws.sendFrame(buf.data(), n, flags);
                    break;
                }
                if (op == WebSocket::FRAME_OP_PING) {
                    ws.sendFrame(buf.data(), n, WebSocket::FRAME_FLAG_FIN | WebSocket::FRAME_OP_PONG);
                } else if (op != WebSocket::FRAME_OP_PONG) {
                    ws.sendFrame(buf.data(), n, flags);
                }
            } while (true);
        } catch (Poco::Exception&) {
        }
    }
};

class Factory : public HTTPRequestHandlerFactory {
public:
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Echo; }
};

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    initializeSSL();
    try {
        if (!args.empty() && args[0] == "server") {
            bool tls = args.size() == 4 && args[1] == "--tls";
            std::unique_ptr<ServerSocket> socket;
            if (tls) {
                Context::Ptr ctx = new Context(Context::TLS_SERVER_USE, args[3], args[2], "", Context::VERIFY_NONE);
                socket.reset(new SecureServerSocket(SocketAddress("127.0.0.1", 0), 64, ctx));
            } else {
                socket.reset(new ServerSocket(SocketAddress("127.0.0.1", 0)));
            }
            HTTPServer server(new Factory, *socket, new HTTPServerParams);
            server.start();
            std::cout << "listening on 127.0.0.1:" << socket->address().port() << std::endl;
            for (;;) std::this_thread::sleep_for(std::chrono::seconds(3600));
        }
        if (args.size() != 4 && !(args.size() == 6 && args[4] == "--tls")) {
            std::fprintf(stderr, "usage: poco_ws_bench server [--tls CERT KEY] | client PORT SIZE SECONDS [--tls CA]\n");
            return 2;
        }
        Poco::UInt16 port = static_cast<Poco::UInt16>(std::stoi(args[1]));
        size_t size = std::stoul(args[2]);
        double seconds = std::stod(args[3]);
        std::unique_ptr<HTTPClientSession> cs;
        if (args.size() == 6) {
            Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, "", "", args[5], Context::VERIFY_RELAXED, 9,
                                           false, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
            cs.reset(new HTTPSClientSession("localhost", port, ctx));
        } else {
            cs.reset(new HTTPClientSession("127.0.0.1", port));
        }
        HTTPRequest request(HTTPRequest::HTTP_GET, "/ws", HTTPMessage::HTTP_1_1);
        HTTPResponse response;
        WebSocket ws(*cs, request, response);
        ws.setReceiveTimeout(Poco::Timespan(30, 0));
        std::vector<char> payload(size);
        for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i % 251);
        std::vector<char> buf(size + 1024);
        unsigned long long roundTrips = 0, bytes = 0;
        auto start = std::chrono::steady_clock::now();
        auto budget = std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() - start < budget) {
            ws.sendFrame(payload.data(), static_cast<int>(size), WebSocket::FRAME_BINARY);
            int flags = 0;
            int n = receiveMessage(ws, buf, flags);
            if (n != static_cast<int>(size) || (flags & WebSocket::FRAME_OP_BITMASK) != WebSocket::FRAME_OP_BINARY) {
                std::fprintf(stderr, "poco_ws_bench: echo %llu is %d bytes, flags %x\n", roundTrips, n, flags);
                return 1;
            }
            bytes += static_cast<unsigned long long>(n);
            ++roundTrips;
        }
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ws.shutdown();
        std::printf("round_trips=%llu bytes=%llu seconds=%.6f\n", roundTrips, bytes, elapsed);
        return 0;
    } catch (Poco::Exception& e) {
        std::fprintf(stderr, "poco_ws_bench: %s\n", e.displayText().c_str());
        return 1;
    }
}
