// POCO's DeflatingOutputStream, InflatingInputStream and Net::MultipartReader over the same
// in-memory inputs as crates/net/examples/bench_http_extras.rs, for `cargo xtask bench http-extras`.
// Build: g++ -O2 -o poco_http_extras poco_http_extras.cpp -lPocoNet -lPocoFoundation
// Usage: poco_http_extras DATA GZ MULTIPART BOUNDARY SECONDS
// Prints `<what> <bytes> <seconds>` lines, as the Rust side does.
#include <Poco/DeflatingStream.h>
#include <Poco/InflatingStream.h>
#include <Poco/MemoryStream.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/NullStream.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

static std::string slurp(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot open ") + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

static void measure(const char* what, std::size_t bytes, double seconds, const std::function<void()>& pass) {
    pass();
    auto start = std::chrono::steady_clock::now();
    unsigned long long total = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        pass();
        total += bytes;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::printf("%s %llu %.6f\n", what, total, elapsed);
}

// Reads `in` to its end in 64 KiB chunks; the byte count.
static std::size_t drain(std::istream& in, char* chunk) {
    std::size_t n = 0;
    while (in.read(chunk, 65536) || in.gcount() > 0) n += static_cast<std::size_t>(in.gcount());
    return n;
}

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: poco_http_extras DATA GZ MULTIPART BOUNDARY SECONDS\n");
        return 2;
    }
    try {
        const std::string data = slurp(argv[1]), gz = slurp(argv[2]), body = slurp(argv[3]);
        const std::string boundary = argv[4];
        const double seconds = std::atof(argv[5]);
        static char chunk[65536];

        measure("deflate", data.size(), seconds, [&] {
            Poco::NullOutputStream sink;
            Poco::DeflatingOutputStream out(sink, Poco::DeflatingStreamBuf::STREAM_GZIP, 6);
            out.write(data.data(), static_cast<std::streamsize>(data.size()));
            out.close();
        });
        measure("inflate", data.size(), seconds, [&] {
            Poco::MemoryInputStream src(gz.data(), gz.size());
            Poco::InflatingInputStream in(src, Poco::InflatingStreamBuf::STREAM_GZIP);
            if (drain(in, chunk) != data.size()) throw std::runtime_error("inflated size differs");
        });
        measure("multipart", body.size(), seconds, [&] {
            Poco::MemoryInputStream src(body.data(), body.size());
            Poco::Net::MultipartReader reader(src, boundary);
            std::size_t content = 0;
            while (reader.hasNextPart()) {
                Poco::Net::MessageHeader header;
                reader.nextPart(header);
                content += drain(reader.stream(), chunk);
            }
            if (content == 0) throw std::runtime_error("no content");
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "poco_http_extras: %s\n", e.what());
        return 1;
    }
    return 0;
}
