// HTTPS client with POCO's HTTPSClientSession: the C++ peer of
// crates/netssl/examples/bench_https_client.rs for `cargo xtask bench netssl`.
// Build: g++ -O2 -o poco_https_client poco_https_client.cpp -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
//
//   poco_https_client handshakes <host> <port> <path> <requests> <ca.pem>
//       one GET per new connection (keep-alive off, session cache off: a full handshake each)
//   poco_https_client bulk <host> <port> <path> <expected-bytes> <ca.pem>
//       one GET of a large body
// Prints `requests=N bytes=B seconds=S`.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <string>
#include <vector>

using namespace Poco::Net;

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: poco_https_client handshakes|bulk <host> <port> <path> <count> <ca.pem>\n");
        return 2;
    }
    std::string mode = argv[1];
    long count = std::atol(argv[5]);
    initializeSSL();
    // Verify the server against the dev CA, as the Rust client does (VERIFY_RELAXED).
    Context::Ptr context = new Context(Context::TLS_CLIENT_USE, "", "", argv[6], Context::VERIFY_RELAXED, 9,
                                       false, "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH");
    HTTPSClientSession session(argv[2], static_cast<Poco::UInt16>(std::atoi(argv[3])), context);
    std::vector<char> buf(256 * 1024);
    unsigned long long bytes = 0;
    long requests = mode == "bulk" ? 1 : count;
    auto start = std::chrono::steady_clock::now();
    try {
        for (long i = 0; i < requests; ++i) {
            HTTPRequest request(HTTPRequest::HTTP_GET, argv[4], HTTPMessage::HTTP_1_1);
            session.sendRequest(request);
            HTTPResponse response;
            std::istream& rs = session.receiveResponse(response);
            while (rs.read(buf.data(), buf.size()) || rs.gcount() > 0) bytes += rs.gcount();
            if (response.getStatus() != HTTPResponse::HTTP_OK) {
                std::fprintf(stderr, "unexpected status %d\n", static_cast<int>(response.getStatus()));
                return 1;
            }
        }
    } catch (const Poco::Exception& e) {
        std::fprintf(stderr, "%s\n", e.displayText().c_str());
        return 1;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("requests=%ld bytes=%llu seconds=%.6f\n", requests, bytes, s);
    uninitializeSSL();
    return 0;
}
