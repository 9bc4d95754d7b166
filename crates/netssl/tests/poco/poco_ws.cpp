// The C++ POCO WebSocket peer for rpoco's interop tests (127.0.0.1 only).
//   poco_ws server [--tls CERT KEY]   echo server at /ws; prints "listening on 127.0.0.1:PORT"
//   poco_ws client PORT [--tls CA] MESSAGE...   sends each message, prints each echo, closes
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
#include <Poco/Net/AcceptCertificateHandler.h>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace Poco::Net;

class Echo : public HTTPRequestHandler {
public:
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            WebSocket ws(request, response);
            std::vector<char> storage(1 << 20);
            char* buffer = storage.data();
            int flags = 0, n = 0, op = 0;
            do {
                n = ws.receiveFrame(buffer, static_cast<int>(storage.size()), flags);
                op = flags & WebSocket::FRAME_OP_BITMASK;
                if (n == 0 && flags == 0) break;  // the peer closed the connection
                if (op == WebSocket::FRAME_OP_PING) {
                    ws.sendFrame(buffer, n, WebSocket::FRAME_FLAG_FIN | WebSocket::FRAME_OP_PONG);
                } else {
                    ws.sendFrame(buffer, n, flags);  // data, and the close frame echoed back
                }
            } while (op != WebSocket::FRAME_OP_CLOSE);
        } catch (Poco::Exception& e) {
            std::cout << "server error: " << e.displayText() << std::endl;
        }
    }
};

class Factory : public HTTPRequestHandlerFactory {
public:
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Echo; }
};

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return 2;
    try {
        if (args[0] == "server") {
            bool tls = args.size() >= 4 && args[1] == "--tls";
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
            std::this_thread::sleep_for(std::chrono::seconds(120));
            return 0;
        }
        Poco::UInt16 port = static_cast<Poco::UInt16>(std::stoi(args[1]));
        size_t first = 2;
        std::unique_ptr<HTTPClientSession> cs;
        if (args.size() > 3 && args[2] == "--tls") {
            Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, "", "", args[3], Context::VERIFY_RELAXED);
            cs.reset(new HTTPSClientSession("localhost", port, ctx));
            first = 4;
        } else {
            cs.reset(new HTTPClientSession("127.0.0.1", port));
        }
        HTTPRequest request(HTTPRequest::HTTP_GET, "/ws", HTTPMessage::HTTP_1_1);
        HTTPResponse response;
        WebSocket ws(*cs, request, response);
        ws.setReceiveTimeout(Poco::Timespan(10, 0));
        char buffer[1 << 16];
        for (size_t i = first; i < args.size(); ++i) {
            ws.sendFrame(args[i].data(), static_cast<int>(args[i].size()), WebSocket::FRAME_TEXT);
            int flags = 0;
            int n = ws.receiveFrame(buffer, sizeof(buffer), flags);
            std::cout << std::string(buffer, n) << std::endl;
        }
        ws.shutdown(WebSocket::WS_NORMAL_CLOSE, "bye");
        int flags = 0;
        int n = ws.receiveFrame(buffer, sizeof(buffer), flags);
        std::cout << "close " << ((flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_CLOSE) << " "
                  << (n >= 2 ? ((static_cast<unsigned char>(buffer[0]) << 8) | static_cast<unsigned char>(buffer[1])) : 0)
                  << std::endl;
        return 0;
    } catch (Poco::Exception& e) {
        std::cerr << "poco_ws: " << e.displayText() << std::endl;
        return 1;
    }
}
