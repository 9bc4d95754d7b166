// The C++ POCO peer of crates/net/examples/bench_mail.rs for `cargo xtask bench mail`:
//   poco_mail_bench smtp HOST PORT SIZE COUNT   COUNT messages with a SIZE-byte attachment, one session
//   poco_mail_bench parse FILE ROUNDS           parse the MIME message in FILE ROUNDS times from memory
// Build: g++ -O2 -o poco_mail_bench poco_mail_bench.cpp -lPocoNet -lPocoFoundation
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NullPartHandler.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

using namespace Poco::Net;

static void build(MailMessage& m, const std::string& data) {
    m.setSender("bench@example.com");
    m.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "sink@example.com", "Sink"));
    m.setSubject("benchmark message");
    m.addContent(new StringPartSource("A benchmark message.\r\n", "text/plain"), MailMessage::ENCODING_QUOTED_PRINTABLE);
    m.addAttachment("data.bin", new StringPartSource(data, "application/octet-stream", "data.bin"), MailMessage::ENCODING_BASE64);
}

// Keeps each part's decoded content, as MailMessage::read(istr) with a store does in our port.
class Keep : public PartHandler {
public:
    size_t parts = 0;
    void handlePart(const MessageHeader&, std::istream& stream) override {
        std::string data;
        Poco::StreamCopier::copyToString(stream, data);
        parts++;
    }
};

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "smtp" && argc == 6) {
            size_t size = std::strtoul(argv[4], nullptr, 10);
            long count = std::atol(argv[5]);
            std::string data;
            data.reserve(size);
            for (size_t i = 0; i < size; i++) data.push_back(static_cast<char>(i * 7 % 256));
            auto start = std::chrono::steady_clock::now();
            SMTPClientSession session(argv[2], static_cast<Poco::UInt16>(std::atoi(argv[3])));
            session.login("bench.example.com");
            // POCO's write consumes a StringPartSource's stream, so each send builds its
            // message (one copy of the attachment bytes; the bytes are made once).
            for (long i = 0; i < count; i++) {
                MailMessage m;
                build(m, data);
                session.sendMessage(m);
            }
            session.close();
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("messages=%ld seconds=%.6f\n", count, s);
            return 0;
        }
        if (mode == "parse" && argc == 4) {
            std::ifstream f(argv[2], std::ios::binary);
            std::string wire((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            long rounds = std::atol(argv[3]);
            size_t parts = 0;
            auto start = std::chrono::steady_clock::now();
            for (long i = 0; i < rounds; i++) {
                std::istringstream in(wire);
                MailMessage m;
                Keep keep;
                m.read(in, keep);
                parts += keep.parts;
            }
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("bytes=%zu parts=%zu seconds=%.6f\n", wire.size() * rounds, parts, s);
            return 0;
        }
    } catch (Poco::Exception& e) {
        std::fprintf(stderr, "poco_mail_bench: %s\n", e.displayText().c_str());
        return 1;
    }
    std::fprintf(stderr, "usage: poco_mail_bench smtp HOST PORT SIZE COUNT | parse FILE ROUNDS\n");
    return 2;
}
