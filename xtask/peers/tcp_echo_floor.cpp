// The floor of `cargo xtask bench websocket`: the same one-message-at-a-time echo over one
// loopback TCP connection, with no WebSocket at all — each round trip is one write and the
// blocking reads that bring the same bytes back, on both sides, as in every WebSocket
// implementation measured beside it. Each "message" is the bytes a WebSocket client frame
// of SIZE bytes takes on the wire (header and mask included), so no implementation of the
// protocol can do more round trips per second than this on the same machine.
//
//   tcp_echo_floor server
//       echo server on 127.0.0.1; prints "listening on 127.0.0.1:PORT"; serves until its
//       standard input closes
//   tcp_echo_floor client PORT SIZE SECONDS
//       prints `round_trips=N bytes=B seconds=S` (B counts SIZE per round trip, as the
//       WebSocket clients count message bytes)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

static void fail(const char* what) {
    std::perror(what);
    std::exit(1);
}

static void no_delay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) fail("TCP_NODELAY");
}

// The bytes of a masked client frame with a SIZE-byte payload (RFC 6455 §5.2).
static size_t frame_bytes(size_t size) {
    size_t header = size < 126 ? 2 : size < 65536 ? 4 : 10;
    return header + 4 + size;
}

static void echo(int fd) {
    std::vector<char> buf(256 * 1024);
    for (;;) {
        ssize_t n = read(fd, buf.data(), buf.size());
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf.data() + off, n - off);
            if (w <= 0) {
                close(fd);
                return;
            }
            off += w;
        }
    }
    close(fd);
}

static int server() {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind");
    if (listen(listener, 16) != 0) fail("listen");
    if (getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
    std::printf("listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));
    std::fflush(stdout);
    // Like the POCO peers: serve until standard input closes.
    std::thread([] {
        char c;
        while (read(0, &c, 1) > 0) {
        }
        std::exit(0);
    }).detach();
    for (;;) {
        int fd = accept(listener, nullptr, nullptr);
        if (fd < 0) continue;
        no_delay(fd);
        std::thread(echo, fd).detach();
    }
}

static int client(int port, size_t size, double seconds) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
    no_delay(fd);
    size_t wire = frame_bytes(size);
    std::vector<char> out(wire, 'x'), in(wire);
    unsigned long long trips = 0;
    auto started = std::chrono::steady_clock::now();
    auto budget = std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() - started < budget) {
        for (size_t off = 0; off < wire;) {
            ssize_t w = write(fd, out.data() + off, wire - off);
            if (w <= 0) fail("write");
            off += w;
        }
        for (size_t got = 0; got < wire;) {
            ssize_t r = read(fd, in.data() + got, wire - got);
            if (r <= 0) fail("read");
            got += r;
        }
        if (std::memcmp(in.data(), out.data(), wire) != 0) {
            std::fprintf(stderr, "echo %llu differs\n", trips);
            return 1;
        }
        ++trips;
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    close(fd);
    std::printf("round_trips=%llu bytes=%llu seconds=%.6f\n", trips, trips * size, elapsed);
    return 0;
}

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "server") return server();
    if (args.size() == 4 && args[0] == "client")
        return client(std::atoi(args[1].c_str()), std::strtoul(args[2].c_str(), nullptr, 10),
                      std::atof(args[3].c_str()));
    std::fprintf(stderr, "usage: tcp_echo_floor server | client PORT SIZE SECONDS\n");
    return 2;
}
