// The C++ POCO side of the mail interop test (Debian's libpoco-dev).
//   poco_mail write   : writes a message built with POCO's MailMessage to stdout
//   poco_mail read    : reads a message from stdin with MailMessage::read and a PartHandler,
//                       printing what it found, one item per line:
//                       SUBJECT <raw>, FROM <raw>, TO <raw>, CC <raw>, CONTENT <base64>,
//                       PART <content-type>|<filename>|<disposition>|<base64 of the content>
#include <Poco/Base64Encoder.h>
#include <Poco/Net/FilePartSource.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <iostream>
#include <sstream>
#include <string>

using namespace Poco::Net;

static std::string b64(const std::string& data) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << data;
    enc.close();
    return out.str();
}

class Printer : public PartHandler {
public:
    void handlePart(const MessageHeader& header, std::istream& stream) override {
        std::string data;
        Poco::StreamCopier::copyToString(stream, data);
        std::string disposition = header.get("Content-Disposition", "");
        std::string filename;
        if (!disposition.empty()) {
            std::string value;
            NameValueCollection params;
            MessageHeader::splitParameters(disposition, value, params);
            filename = params.get("filename", "");
            disposition = value;
        }
        std::cout << "PART " << header.get("Content-Type", "") << "|" << filename << "|" << disposition << "|"
                  << b64(data) << "\n";
    }
};

static std::string binary(int n) {
    std::string s;
    for (int i = 0; i < n; i++) s.push_back(static_cast<char>((i * 7 + 3) % 256));
    return s;
}

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "write") {
            MailMessage m;
            m.setSender(MailMessage::encodeWord("Jürgen Sender", "UTF-8") + " <sender@example.com>");
            m.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "to@example.com", "To Person"));
            m.addRecipient(MailRecipient(MailRecipient::CC_RECIPIENT, "cc@example.com"));
            m.setSubject(MailMessage::encodeWord("Grüße aus Köln – POCO", "UTF-8"));
            m.addContent(new StringPartSource("Hello from POCO.\r\n.leading dot\r\nünïcode\r\n", "text/plain; charset=utf-8"),
                         MailMessage::ENCODING_QUOTED_PRINTABLE);
            m.addPart("html", new StringPartSource("<p>Hi</p>\r\n", "text/html"), MailMessage::CONTENT_INLINE,
                      MailMessage::ENCODING_8BIT);
            m.addAttachment("data.bin", new StringPartSource(binary(5000), "application/octet-stream", "data.bin"),
                            MailMessage::ENCODING_BASE64);
            m.write(std::cout);
            return 0;
        }
        if (mode == "read") {
            MailMessage m;
            Printer printer;
            m.read(std::cin, printer);
            std::cout << "SUBJECT " << m.getSubject() << "\n";
            std::cout << "FROM " << m.getSender() << "\n";
            std::cout << "TO " << m.get("To", "") << "\n";
            std::cout << "CC " << m.get("CC", "") << "\n";
            std::cout << "MULTIPART " << (m.isMultipart() ? 1 : 0) << "\n";
            return 0;
        }
    } catch (Poco::Exception& e) {
        std::cerr << e.displayText() << "\n";
        return 1;
    }
    std::cerr << "usage: poco_mail write|read\n";
    return 2;
}
