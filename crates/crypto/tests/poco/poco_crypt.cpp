// The C++ POCO peer for rpoco-crypto's interop tests and benchmarks.
// Built by tests/poco_interop.rs and `cargo xtask bench crypto` with
//   g++ -O2 -std=c++17 poco_crypt.cpp -lPocoCrypto -lPocoFoundation
// against Debian's libpoco-dev (POCO 1.11). Binary data goes through files.
//
//   key      <cipher> <pass> <salt> <iterations> <digest>      prints key and IV in hex
//   enc-gcm  <pass> <salt> <iterations> <digest> <in> <out>     aes-256-gcm: out = ct || tag(16)
//   dec-gcm  <pass> <salt> <iterations> <digest> <in> <out>     exit 2 if the tag does not verify
//   enc-str  <cipher> <pass> <salt> <encoding> <in> <out>       Cipher::encryptString
//   dec-str  <cipher> <pass> <salt> <encoding> <in> <out>       Cipher::decryptString
//   bench-str <cipher> <size> <seconds>                         encryptString calls/s
//   bench-gcm <size> <seconds>                                  CryptoTransform AES-256-GCM ops
//   bench-sha <size> <seconds>                                  Crypto::DigestEngine("SHA256") ops
// The bench commands print "<operations> <seconds>"; the clock is read every 16 operations.
#include "Poco/Crypto/Cipher.h"
#include "Poco/Crypto/CipherFactory.h"
#include "Poco/Crypto/CipherKey.h"
#include "Poco/Crypto/CryptoTransform.h"
#include "Poco/Crypto/DigestEngine.h"
#include "Poco/Exception.h"
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using namespace Poco::Crypto;

static std::string readFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

static void writeFile(const std::string& path, const std::string& data)
{
	std::ofstream out(path, std::ios::binary);
	out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

static std::string hex(const std::vector<unsigned char>& v)
{
	static const char* digits = "0123456789abcdef";
	std::string s;
	for (unsigned char c : v) { s += digits[c >> 4]; s += digits[c & 15]; }
	return s;
}

static Cipher::Encoding encoding(const std::string& name)
{
	if (name == "none") return Cipher::ENC_NONE;
	if (name == "base64") return Cipher::ENC_BASE64;
	if (name == "binhex") return Cipher::ENC_BINHEX;
	if (name == "base64-nolf") return Cipher::ENC_BASE64_NO_LF;
	if (name == "binhex-nolf") return Cipher::ENC_BINHEX_NO_LF;
	throw Poco::InvalidArgumentException("encoding", name);
}

static std::string runTransform(CryptoTransform& t, const std::string& in)
{
	std::string out(in.size() + 2 * t.blockSize() + 16, '\0');
	auto* o = reinterpret_cast<unsigned char*>(&out[0]);
	std::streamsize n = t.transform(reinterpret_cast<const unsigned char*>(in.data()),
		static_cast<std::streamsize>(in.size()), o, static_cast<std::streamsize>(out.size()));
	n += t.finalize(o + n, static_cast<std::streamsize>(out.size()) - n);
	out.resize(static_cast<std::size_t>(n));
	return out;
}

static int run(const std::vector<std::string>& a)
{
	const std::string& cmd = a.at(0);
	if (cmd == "key")
	{
		CipherKey key(a.at(1), a.at(2), a.at(3), std::stoi(a.at(4)), a.at(5));
		std::cout << hex(key.getKey()) << " " << hex(key.getIV()) << std::endl;
		return 0;
	}
	if (cmd == "enc-gcm" || cmd == "dec-gcm")
	{
		CipherKey key("aes-256-gcm", a.at(1), a.at(2), std::stoi(a.at(3)), a.at(4));
		Cipher* cipher = CipherFactory::defaultFactory().createCipher(key);
		std::string in = readFile(a.at(5));
		if (cmd == "enc-gcm")
		{
			CryptoTransform::Ptr t = cipher->createEncryptor();
			std::string ct = runTransform(*t, in);
			writeFile(a.at(6), ct + t->getTag(16));
		}
		else
		{
			if (in.size() < 16) { std::cerr << "input shorter than the tag" << std::endl; return 2; }
			CryptoTransform::Ptr t = cipher->createDecryptor();
			t->setTag(in.substr(in.size() - 16));
			try
			{
				writeFile(a.at(6), runTransform(*t, in.substr(0, in.size() - 16)));
			}
			catch (Poco::Exception& e)
			{
				std::cerr << "decryption failed: " << e.displayText() << std::endl;
				return 2;
			}
		}
		delete cipher;
		return 0;
	}
	if (cmd == "enc-str" || cmd == "dec-str")
	{
		CipherKey key(a.at(1), a.at(2), a.at(3));
		Cipher* cipher = CipherFactory::defaultFactory().createCipher(key);
		std::string in = readFile(a.at(5));
		try
		{
			writeFile(a.at(6), cmd == "enc-str" ? cipher->encryptString(in, encoding(a.at(4)))
			                                    : cipher->decryptString(in, encoding(a.at(4))));
		}
		catch (Poco::Exception& e)
		{
			std::cerr << "failed: " << e.displayText() << std::endl;
			return 2;
		}
		delete cipher;
		return 0;
	}
	if (cmd == "bench-sha")
	{
		std::size_t size = std::stoul(a.at(1));
		double seconds = std::stod(a.at(2));
		DigestEngine engine("SHA256");
		std::string data(size, 'x');
		std::size_t ops = 0, sink = 0;
		auto start = std::chrono::steady_clock::now();
		double elapsed = 0;
		do
		{
			for (int i = 0; i < 16; ++i)
			{
				engine.update(data);
				sink += engine.digest().size();
			}
			ops += 16;
			elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		}
		while (elapsed < seconds);
		std::cout << ops << " " << elapsed << (sink > 0 ? "" : " ") << std::endl;
		return 0;
	}
	if (cmd == "bench-str" || cmd == "bench-gcm")
	{
		bool gcm = cmd == "bench-gcm";
		std::size_t size = std::stoul(a.at(gcm ? 1 : 2));
		double seconds = std::stod(a.at(gcm ? 2 : 3));
		CipherKey key(gcm ? "aes-256-gcm" : a.at(1), "benchmark passphrase", "saltsalt");
		Cipher* cipher = CipherFactory::defaultFactory().createCipher(key);
		std::string data(size, 'x');
		std::size_t ops = 0, sink = 0;
		auto start = std::chrono::steady_clock::now();
		double elapsed = 0;
		do
		{
			for (int i = 0; i < 16; ++i)
			{
				if (gcm)
				{
					CryptoTransform::Ptr t = cipher->createEncryptor();
					sink += runTransform(*t, data).size() + t->getTag(16).size();
				}
				else
				{
					sink += cipher->encryptString(data).size();
				}
			}
			ops += 16;
			elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		}
		while (elapsed < seconds);
		std::cout << ops << " " << elapsed << (sink > 0 ? "" : " ") << std::endl;
		delete cipher;
		return 0;
	}
	std::cerr << "unknown command " << cmd << std::endl;
	return 64;
}

int main(int argc, char** argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	if (args.empty()) { std::cerr << "usage: see the header of poco_crypt.cpp" << std::endl; return 64; }
	try
	{
		return run(args);
	}
	catch (Poco::Exception& e)
	{
		std::cerr << e.displayText() << std::endl;
		return 1;
	}
	catch (std::exception& e)
	{
		std::cerr << e.what() << std::endl;
		return 1;
	}
}
