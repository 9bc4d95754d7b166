// C++ POCO peer for tests/poco_pk.rs: POCO's RSAKey/ECKey (generate, save with a
// passphrase), RSADigestEngine/ECDSADigestEngine (sign, verify) and the RSA cipher
// (OAEP = RSA_PADDING_PKCS1_OAEP, SHA-1), driven through files.
//
//   poco_pk genrsa PUB PRIV PASS        RSAKey(KL_2048, EXP_LARGE).save(PUB, PRIV, PASS)
//   poco_pk genec PUB PRIV PASS         ECKey("prime256v1").save(PUB, PRIV, PASS)
//   poco_pk sign rsa|ec PRIV PASS IN SIG     SHA256 digest engine signature
//   poco_pk verify rsa|ec PUB IN SIG         exit 0 if valid, 1 if not
//   poco_pk encrypt PUB IN OUT / decrypt PRIV PASS IN OUT   RSA OAEP (SHA-1)
//   poco_pk bench-sign|bench-verify rsa|ec PUB PRIV SECONDS  prints "OPS SECONDS" (32-byte message,
//                                             one engine reused, as the Rust side does)
//   poco_pk bench-keygen SECONDS              RSAKey(KL_2048, EXP_LARGE) per second

#include <Poco/Crypto/Cipher.h>
#include <Poco/Crypto/CipherFactory.h>
#include <Poco/Crypto/ECDSADigestEngine.h>
#include <Poco/Crypto/ECKey.h>
#include <Poco/Crypto/RSADigestEngine.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

using namespace Poco::Crypto;

static std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

static void writeFile(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

template <class Engine, class Key>
static std::string signWith(const Key& key, const std::string& data) {
    Engine engine(key, "SHA256");
    engine.update(data);
    const Poco::DigestEngine::Digest& sig = engine.signature();
    return std::string(sig.begin(), sig.end());
}

template <class Engine, class Key>
static bool verifyWith(const Key& key, const std::string& data, const std::string& sig) {
    Engine engine(key, "SHA256");
    engine.update(data);
    return engine.verify(Poco::DigestEngine::Digest(sig.begin(), sig.end()));
}

template <class Engine, class Key>
static void benchSign(const Key& key, double seconds, bool verify) {
    std::string data(32, 'Z');
    Engine engine(key, "SHA256");
    engine.update(data);
    Poco::DigestEngine::Digest sig = engine.signature();
    Poco::Timestamp start;
    long ops = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        engine.reset();
        engine.update(data);
        if (verify) {
            if (!engine.verify(sig)) throw Poco::Exception("verify failed");
        } else {
            engine.signature();
        }
        ++ops;
        elapsed = start.elapsed() / 1e6;
    }
    std::cout << ops << " " << elapsed << std::endl;
}

int main(int argc, char** argv) {
    try {
        std::string cmd = argc > 1 ? argv[1] : "";
        if (cmd == "genrsa" && argc == 5) {
            RSAKey key(RSAKey::KL_2048, RSAKey::EXP_LARGE);
            key.save(argv[2], argv[3], argv[4]);
        } else if (cmd == "genec" && argc == 5) {
            ECKey key("prime256v1");
            key.save(argv[2], argv[3], argv[4]);
        } else if (cmd == "sign" && argc == 7) {
            std::string type = argv[2];
            std::string data = readFile(argv[5]);
            std::string sig = type == "rsa" ? signWith<RSADigestEngine>(RSAKey("", argv[3], argv[4]), data)
                                            : signWith<ECDSADigestEngine>(ECKey("", argv[3], argv[4]), data);
            writeFile(argv[6], sig);
        } else if (cmd == "verify" && argc == 6) {
            std::string type = argv[2];
            std::string data = readFile(argv[4]), sig = readFile(argv[5]);
            bool ok = type == "rsa" ? verifyWith<RSADigestEngine>(RSAKey(argv[3]), data, sig)
                                    : verifyWith<ECDSADigestEngine>(ECKey(argv[3], "", ""), data, sig);
            return ok ? 0 : 1;
        } else if (cmd == "encrypt" && argc == 5) {
            Cipher* c = CipherFactory::defaultFactory().createCipher(RSAKey(argv[2]), RSA_PADDING_PKCS1_OAEP);
            writeFile(argv[4], c->encryptString(readFile(argv[3])));
            delete c;
        } else if (cmd == "decrypt" && argc == 6) {
            Cipher* c = CipherFactory::defaultFactory().createCipher(RSAKey("", argv[2], argv[3]), RSA_PADDING_PKCS1_OAEP);
            writeFile(argv[5], c->decryptString(readFile(argv[4])));
            delete c;
        } else if ((cmd == "bench-sign" || cmd == "bench-verify") && argc == 6) {
            std::string type = argv[2];
            double seconds = std::stod(argv[5]);
            bool verify = cmd == "bench-verify";
            if (type == "rsa")
                benchSign<RSADigestEngine>(RSAKey(argv[3], argv[4], ""), seconds, verify);
            else
                benchSign<ECDSADigestEngine>(ECKey(argv[3], argv[4], ""), seconds, verify);
        } else if (cmd == "bench-keygen" && argc == 3) {
            double seconds = std::stod(argv[2]);
            Poco::Timestamp start;
            long ops = 0;
            double elapsed = 0;
            while (elapsed < seconds) {
                RSAKey key(RSAKey::KL_2048, RSAKey::EXP_LARGE);
                ++ops;
                elapsed = start.elapsed() / 1e6;
            }
            std::cout << ops << " " << elapsed << std::endl;
        } else {
            std::cerr << "usage: see the comment at the top of poco_pk.cpp" << std::endl;
            return 2;
        }
    } catch (Poco::Exception& e) {
        std::cerr << e.displayText() << std::endl;
        return 3;
    }
    return 0;
}
