// POCO's EchoServer sample (SocketReactor + SocketAcceptor<EchoServiceHandler>, a FIFOBuffer
// per connection): the C++ peer of examples/echo_server.rs for `cargo xtask bench reactor`.
// Build: g++ -O2 -o poco_echo_server poco_echo_server.cpp -lPocoNet -lPocoFoundation
// Usage: poco_echo_server <port>; prints "listening on 127.0.0.1:<port>" when ready and
// serves until its standard input closes.
#include <Poco/Delegate.h>
#include <Poco/FIFOBuffer.h>
#include <Poco/NObserver.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAcceptor.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Thread.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

using namespace Poco::Net;
using Poco::AutoPtr;
using Poco::FIFOBuffer;
using Poco::NObserver;
using Poco::delegate;

// As in POCO's Net/samples/EchoServer/src/EchoServer.cpp.
class EchoServiceHandler {
public:
    EchoServiceHandler(StreamSocket& socket, SocketReactor& reactor)
        : _socket(socket), _reactor(reactor), _fifoIn(BUFFER_SIZE, true), _fifoOut(BUFFER_SIZE, true) {
        _reactor.addEventHandler(_socket, NObserver<EchoServiceHandler, ReadableNotification>(*this, &EchoServiceHandler::onSocketReadable));
        _reactor.addEventHandler(_socket, NObserver<EchoServiceHandler, ShutdownNotification>(*this, &EchoServiceHandler::onSocketShutdown));
        _fifoOut.readable += delegate(this, &EchoServiceHandler::onFIFOOutReadable);
        _fifoIn.writable += delegate(this, &EchoServiceHandler::onFIFOInWritable);
    }

    ~EchoServiceHandler() {
        _reactor.removeEventHandler(_socket, NObserver<EchoServiceHandler, ReadableNotification>(*this, &EchoServiceHandler::onSocketReadable));
        _reactor.removeEventHandler(_socket, NObserver<EchoServiceHandler, WritableNotification>(*this, &EchoServiceHandler::onSocketWritable));
        _reactor.removeEventHandler(_socket, NObserver<EchoServiceHandler, ShutdownNotification>(*this, &EchoServiceHandler::onSocketShutdown));
        _fifoOut.readable -= delegate(this, &EchoServiceHandler::onFIFOOutReadable);
        _fifoIn.writable -= delegate(this, &EchoServiceHandler::onFIFOInWritable);
    }

    void onFIFOOutReadable(bool& b) {
        if (b) _reactor.addEventHandler(_socket, NObserver<EchoServiceHandler, WritableNotification>(*this, &EchoServiceHandler::onSocketWritable));
        else _reactor.removeEventHandler(_socket, NObserver<EchoServiceHandler, WritableNotification>(*this, &EchoServiceHandler::onSocketWritable));
    }

    void onFIFOInWritable(bool& b) {
        if (b) _reactor.addEventHandler(_socket, NObserver<EchoServiceHandler, ReadableNotification>(*this, &EchoServiceHandler::onSocketReadable));
        else _reactor.removeEventHandler(_socket, NObserver<EchoServiceHandler, ReadableNotification>(*this, &EchoServiceHandler::onSocketReadable));
    }

    void onSocketReadable(const AutoPtr<ReadableNotification>&) {
        try {
            int len = _socket.receiveBytes(_fifoIn);
            if (len > 0) {
                _fifoIn.drain(_fifoOut.write(_fifoIn.buffer(), _fifoIn.used()));
            } else {
                delete this;
            }
        } catch (Poco::Exception&) {
            delete this;
        }
    }

    void onSocketWritable(const AutoPtr<WritableNotification>&) {
        try {
            _socket.sendBytes(_fifoOut);
        } catch (Poco::Exception&) {
            delete this;
        }
    }

    void onSocketShutdown(const AutoPtr<ShutdownNotification>&) { delete this; }

private:
    enum { BUFFER_SIZE = 1024 };
    StreamSocket _socket;
    SocketReactor& _reactor;
    FIFOBuffer _fifoIn;
    FIFOBuffer _fifoOut;
};

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: poco_echo_server <port>\n");
        return 2;
    }
    ServerSocket svs(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::atoi(argv[1]))), 1024);
    SocketReactor reactor;
    SocketAcceptor<EchoServiceHandler> acceptor(svs, reactor);
    Poco::Thread thread;
    thread.start(reactor);
    std::printf("listening on %s\n", svs.address().toString().c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    reactor.stop();
    thread.join();
    return 0;
}
