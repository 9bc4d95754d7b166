// Sequential keep-alive GETs with POCO's HTTPClientSession: the C++ peer of
// crates/net/examples/bench_keepalive_get.rs for `cargo xtask bench net`.
// Build: g++ -O2 -o poco_keepalive_get poco_keepalive_get.cpp -lPocoNet -lPocoFoundation
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: poco_keepalive_get <host> <port> <path> <requests>\n");
        return 2;
    }
    long n = std::atol(argv[4]);
    Poco::Net::HTTPClientSession session(argv[1], static_cast<Poco::UInt16>(std::atoi(argv[2])));
    session.setKeepAlive(true);
    char buf[16384];
    unsigned long long bytes = 0;
    auto start = std::chrono::steady_clock::now();
    try {
        for (long i = 0; i < n; ++i) {
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, argv[3], Poco::Net::HTTPMessage::HTTP_1_1);
            session.sendRequest(request);
            Poco::Net::HTTPResponse response;
            std::istream& rs = session.receiveResponse(response);
            while (rs.read(buf, sizeof buf) || rs.gcount() > 0) bytes += rs.gcount();
            if (response.getStatus() != 200) {
                std::fprintf(stderr, "unexpected status %d\n", static_cast<int>(response.getStatus()));
                return 1;
            }
        }
    } catch (const Poco::Exception& e) {
        std::fprintf(stderr, "%s\n", e.displayText().c_str());
        return 1;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("requests=%ld bytes=%llu seconds=%.6f\n", n, bytes, s);
    return 0;
}
