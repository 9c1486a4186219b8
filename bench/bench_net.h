// Shared by the load tools of cdcscope-bench: raw sockets, a blocking HTTP client, WebSocket
// subscribers read under epoll, and the command line. No Qt: the numbers are the server's. With
// --tls 1 every connection speaks TLS (OpenSSL, no certificate check: the server's own is
// self-signed), so wss:// and https:// are measured the same way.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <unordered_map>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <random>
#include <stdexcept>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

[[noreturn]] inline void fail(const std::string &message)
{
    std::fprintf(stderr, "cdcscope-bench: %s\n", message.c_str());
    std::exit(2);
}

inline int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

inline double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// --deflate 1: every subscriber offers permessage-deflate and inflates what comes compressed
// (RSV1) before it checks it, as a browser would. --debezium 1: payloads are Debezium-shaped
// change events (rows of named columns, before and after) instead of padding, so they compress as
// real CDC payloads do.
inline bool &offerDeflate()
{
    static bool offer = false;
    return offer;
}

inline bool &debeziumPayloads()
{
    static bool debezium = false;
    return debezium;
}

// A compressed message's payload inflated (raw DEFLATE, the 4-byte tail put back): this thread's
// inflater, reset for each message (the server takes over no context). A server sends every
// subscriber the same compressed bytes, so what was inflated once is remembered by those bytes
// (the recent ones): one reader thread checks a hundred subscribers without inflating each copy,
// which on two cores would make the reader, not the server, the limit.
inline const std::string &inflateMessage(const char *begin, const char *end)
{
    thread_local std::unordered_map<std::string, std::string> recent;
    std::string compressed(begin, end);
    if (const auto found = recent.find(compressed); found != recent.end())
        return found->second;
    if (recent.size() >= 16384)
        recent.clear();
    std::string &inflated = recent[std::move(compressed)];
    thread_local z_stream stream{};
    thread_local bool ready = false;
    if (!ready) {
        inflateInit2(&stream, -15);
        ready = true;
    } else {
        inflateReset(&stream);
    }
    std::string out;
    static const char tail[4] = {0, 0, char(0xFF), char(0xFF)};
    char chunk[1 << 16];
    for (const auto &[from, to] : {std::pair(begin, end), std::pair<const char *, const char *>(tail, tail + 4)}) {
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(from));
        stream.avail_in = uInt(to - from);
        do {
            stream.next_out = reinterpret_cast<Bytef *>(chunk);
            stream.avail_out = sizeof chunk;
            const int result = inflate(&stream, Z_SYNC_FLUSH);
            out.append(chunk, sizeof chunk - stream.avail_out);
            if (result != Z_OK)
                break;
        } while (stream.avail_in > 0 || stream.avail_out == 0);
    }
    inflated = std::move(out);
    return inflated;
}

// TLS (--tls 1): the client context, and each descriptor's session (null: plain). A TLS
// descriptor is non-blocking; the blocking calls below wait for it in poll().
inline SSL_CTX *&tlsContext()
{
    static SSL_CTX *context = nullptr;
    return context;
}

inline std::vector<SSL *> &tlsSessions()
{
    static std::vector<SSL *> sessions(1 << 16);
    return sessions;
}

inline SSL *tlsOf(int fd)
{
    return tlsContext() && size_t(fd) < tlsSessions().size() ? tlsSessions()[size_t(fd)] : nullptr;
}

inline void waitFor(int fd, short events)
{
    pollfd ready{fd, events, 0};
    ::poll(&ready, 1, -1);
}

// Waits for what OpenSSL asked for; false when the session failed or ended.
inline bool tlsRetry(SSL *ssl, int fd, int result)
{
    const int error = SSL_get_error(ssl, result);
    if (error == SSL_ERROR_WANT_READ)
        waitFor(fd, POLLIN);
    else if (error == SSL_ERROR_WANT_WRITE)
        waitFor(fd, POLLOUT);
    else
        return false;
    return true;
}

inline int connectTo(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        fail("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (tlsContext()) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        SSL *ssl = SSL_new(tlsContext());
        SSL_set_fd(ssl, fd);
        for (int result; (result = SSL_connect(ssl)) != 1;)
            if (!tlsRetry(ssl, fd, result)) {
                const char *reason = ERR_reason_error_string(ERR_get_error());
                fail(std::string("TLS handshake failed: ") + (reason ? reason : "no reason given"));
            }
        if (size_t(fd) >= tlsSessions().size())
            fail("descriptor out of range for TLS");
        tlsSessions()[size_t(fd)] = ssl;
    }
    return fd;
}

// Closed with a reset, not a FIN: a close from our side first would leave the socket in TIME_WAIT
// for a minute, and after a few 19 000-connection runs the next run's connect() calls search a
// port space full of them (the crowd client's system time doubled, for either server).
inline void closeConnection(int fd)
{
    if (SSL *ssl = tlsOf(fd)) {
        SSL_free(ssl);
        tlsSessions()[size_t(fd)] = nullptr;
    }
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
}

// Up to `capacity` bytes: the count, 0 at the end of the stream, -1 when nothing is there now
// (wait == false) or the connection failed.
inline ssize_t receive(int fd, char *buffer, size_t capacity, bool wait)
{
    SSL *ssl = tlsOf(fd);
    if (!ssl)
        return ::recv(fd, buffer, capacity, wait ? 0 : MSG_DONTWAIT);
    for (;;) {
        const int n = SSL_read(ssl, buffer, int(capacity));
        if (n > 0)
            return n;
        const int error = SSL_get_error(ssl, n);
        if (error == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (!wait && error == SSL_ERROR_WANT_READ)
            return -1;
        if (!tlsRetry(ssl, fd, n))
            return error == SSL_ERROR_SYSCALL ? 0 : -1;
    }
}

inline void sendAll(int fd, const std::string &data)
{
    if (SSL *ssl = tlsOf(fd)) {
        for (int result; (result = SSL_write(ssl, data.data(), int(data.size()))) <= 0;)
            if (!tlsRetry(ssl, fd, result))
                fail("TLS send failed");
        return;
    }
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(std::string("send failed: ") + std::strerror(errno));
        }
        sent += size_t(n);
    }
}

// A blocking keep-alive HTTP/1.1 client for the publisher side.
class HttpClient
{
public:
    explicit HttpClient(int port)
        : m_fd(connectTo(port))
    {}
    ~HttpClient() { closeConnection(m_fd); }

    // Returns the response body; fails on a non-2xx status.
    std::string post(const std::string &path, const std::string &body)
    {
        sendAll(m_fd, "POST " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body);
        return readResponse();
    }
    std::string get(const std::string &path)
    {
        sendAll(m_fd, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return readResponse();
    }

private:
    std::string readResponse()
    {
        size_t headEnd;
        while ((headEnd = m_buffer.find("\r\n\r\n")) == std::string::npos)
            readMore();
        const int status = std::atoi(m_buffer.c_str() + 9);
        size_t length = 0;
        const size_t at = m_buffer.find("Content-Length: ");
        if (at != std::string::npos && at < headEnd)
            length = size_t(std::atoll(m_buffer.c_str() + at + 16));
        while (m_buffer.size() < headEnd + 4 + length)
            readMore();
        std::string body = m_buffer.substr(headEnd + 4, length);
        m_buffer.erase(0, headEnd + 4 + length);
        if (status < 200 || status > 299)
            fail("HTTP " + std::to_string(status) + ": " + body);
        return body;
    }
    void readMore()
    {
        char chunk[65536];
        const ssize_t n = receive(m_fd, chunk, sizeof chunk, true);
        if (n <= 0)
            fail("the server closed the HTTP connection");
        m_buffer.append(chunk, size_t(n));
    }

    int m_fd;
    std::string m_buffer;
};

// One WebSocket subscriber: handshake done blocking, frames then read non-blocking under epoll.
struct Subscriber
{
    int fd = -1;
    std::string buffer;
    size_t position = 0;
    int64_t events = 0;
    int64_t acks = 0;
    int64_t lastSeq = -1; // unknown until the first event: a channel may already have history
    int64_t outOfOrder = 0;
    int64_t wireBytes = 0; // of text frames, as they came (compressed or not)
    bool closed = false;
};

// The two halves of a handshake, so many clients can be started before any is waited for.
inline void startHandshake(Subscriber &subscriber, int port, const std::string &client)
{
    subscriber.fd = connectTo(port);
    sendAll(subscriber.fd,
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Athena-Client: " +
                client +
                (offerDeflate() ? "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits" : "") +
                "\r\n\r\n");
}

inline void finishHandshake(Subscriber &subscriber)
{
    char chunk[4096];
    while (subscriber.buffer.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = receive(subscriber.fd, chunk, sizeof chunk, true);
        if (n <= 0)
            fail("handshake failed");
        subscriber.buffer.append(chunk, size_t(n));
    }
    if (subscriber.buffer.compare(0, 12, "HTTP/1.1 101") != 0)
        fail("upgrade refused: " + subscriber.buffer.substr(0, subscriber.buffer.find("\r\n")));
    subscriber.buffer.erase(0, subscriber.buffer.find("\r\n\r\n") + 4);
}

inline void handshake(Subscriber &subscriber, int port, const std::string &client)
{
    startHandshake(subscriber, port, client);
    finishHandshake(subscriber);
}

inline void sendText(Subscriber &subscriber, const std::string &text)
{
    std::string frame;
    frame.push_back(char(0x81));
    if (text.size() < 126) {
        frame.push_back(char(0x80 | text.size()));
    } else {
        frame.push_back(char(0x80 | 126));
        frame.push_back(char(text.size() >> 8));
        frame.push_back(char(text.size() & 0xFF));
    }
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(reinterpret_cast<const char *>(mask), 4);
    for (size_t i = 0; i < text.size(); ++i)
        frame.push_back(char(text[i] ^ mask[i % 4]));
    sendAll(subscriber.fd, frame);
}

inline int64_t numberAfter(const char *begin, const char *end, const char *key)
{
    const size_t keyLength = std::strlen(key);
    const char *found = std::search(begin, end, key, key + keyLength);
    return found == end ? -1 : std::strtoll(found + keyLength, nullptr, 10);
}

// Calls onText(payload begin, end) for every complete text frame in the subscriber's buffer, then
// drops what it consumed (usually all of it: no copy, the capacity stays). A buffer left to grow
// reallocated, faulting in fresh pages, every few thousand frames, for all subscribers at about
// the same moment: that stalled the load tool for tens of milliseconds, which showed up as the
// server's publish-to-deliver latency.
template <typename OnText> void consumeFrames(Subscriber &subscriber, OnText onText)
{
    for (;;) {
        const size_t available = subscriber.buffer.size() - subscriber.position;
        if (available < 2)
            break;
        const auto *bytes = reinterpret_cast<const unsigned char *>(subscriber.buffer.data() + subscriber.position);
        uint64_t length = bytes[1] & 0x7F;
        size_t header = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = (uint64_t(bytes[2]) << 8) | bytes[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | bytes[2 + i];
            header = 10;
        }
        if (available < header + length)
            break;
        const int opcode = bytes[0] & 0x0F;
        const char *payload = reinterpret_cast<const char *>(bytes + header);
        if (opcode == 0x1 && (bytes[0] & 0x40)) {
            subscriber.wireBytes += header + length;
            const std::string &text = inflateMessage(payload, payload + length);
            onText(text.data(), text.data() + text.size());
        } else if (opcode == 0x1) {
            subscriber.wireBytes += header + length;
            onText(payload, payload + length);
        }
        else if (opcode == 0x9) // answer pings so long runs are not cut as idle
            sendAll(subscriber.fd, std::string("\x8A\x80\0\0\0\0", 6));
        else if (opcode == 0x8)
            subscriber.closed = true;
        subscriber.position += header + length;
    }
    subscriber.buffer.erase(0, subscriber.position);
    subscriber.position = 0;
}

// Reads what is available, a chunk at a time, and hands each chunk's complete text frames to
// onText at once: the buffer stays the size of a chunk however much the socket holds (a travel
// can put megabytes there).
template <typename OnText> void drain(Subscriber &subscriber, OnText onText)
{
    char chunk[1 << 16];
    for (;;) {
        const ssize_t n = receive(subscriber.fd, chunk, sizeof chunk, false);
        if (n == 0) {
            subscriber.closed = true;
            break;
        }
        if (n < 0)
            break;
        subscriber.buffer.append(chunk, size_t(n));
        consumeFrames(subscriber, onText);
        if (size_t(n) < sizeof chunk && !tlsOf(subscriber.fd))
            break; // the socket is empty for now: a second recv() would only say EAGAIN
    }
    consumeFrames(subscriber, onText); // frames that were buffered before this call
}

inline void countEvent(Subscriber &subscriber, const char *begin, const char *end)
{
    if (end - begin > 20 && std::strncmp(begin, "{\"organization_id\"", 18) == 0) {
        ++subscriber.events;
        const int64_t seq = numberAfter(begin, end, "\"seq\":");
        if (subscriber.lastSeq >= 0 && seq != subscriber.lastSeq + 1)
            ++subscriber.outOfOrder;
        subscriber.lastSeq = seq;
    } else if (std::search(begin, end, "travel_complete", "travel_complete" + 15) != end) {
        ++subscriber.acks;
    }
}

// Reads until the server's greeting ("subscribed") has arrived.
inline void awaitGreeting(Subscriber &subscriber)
{
    while (subscriber.buffer.find("subscribed") == std::string::npos) {
        char chunk[4096];
        const ssize_t n = receive(subscriber.fd, chunk, sizeof chunk, true);
        if (n <= 0)
            fail("no greeting");
        subscriber.buffer.append(chunk, size_t(n));
    }
}

inline std::vector<Subscriber> connectSubscribers(int port, int count, const std::string &channel)
{
    std::vector<Subscriber> subscribers(static_cast<size_t>(count));
    for (Subscriber &subscriber : subscribers) {
        handshake(subscriber, port, channel);
        // Wait for the greeting so every subscriber is registered before the first publish.
        awaitGreeting(subscriber);
        subscriber.position = 0;
        drain(subscriber, [](const char *, const char *) {});
    }
    return subscribers;
}

inline std::string padding(int payloadBytes, int used)
{
    return std::string(size_t(std::max(1, payloadBytes - used)), 'x');
}

// A Debezium change event of about payloadBytes: an update of an orders row, before and after,
// its columns' values varying with t, the connector's source block.
inline std::string debeziumJson(int64_t t, int payloadBytes)
{
    const std::string source = ",\"source\":{\"version\":\"2.5.0.Final\",\"connector\":\"postgresql\",\"name\":"
                               "\"inventory\",\"ts_ms\":1700000000000,\"snapshot\":\"false\",\"db\":\"inventory\","
                               "\"schema\":\"public\",\"table\":\"orders\",\"txId\":" +
                               std::to_string(5000 + t) + ",\"lsn\":" + std::to_string(33000000 + 64 * t) +
                               "},\"op\":\"u\",\"ts_ms\":1700000000123}";
    std::string before = "{\"id\":" + std::to_string(t) + ",\"t\":" + std::to_string(t);
    std::string after = before;
    const char *names[] = {"customer_id", "status", "total_cents", "currency", "sku", "quantity", "warehouse",
                           "created_at", "updated_at", "note"};
    for (int column = 0; int(before.size() + after.size() + source.size()) + 30 < payloadBytes; ++column) {
        const std::string name = std::string(names[column % 10]) + (column >= 10 ? std::to_string(column / 10) : "");
        const std::string value = "\"" + std::to_string((t * 7919 + column * 104729) % 1000003) + "-" + names[column % 10] + "\"";
        before += ",\"" + name + "\":" + value;
        after += ",\"" + name + "\":" + (column % 4 == 1 ? "\"shipped\"" : value);
    }
    return "{\"before\":" + before + "},\"after\":" + after + "}" + source;
}

// {"organization_id":C,"data":P}: P is {"t":NS,"pad":"xxx"} (or, with --debezium 1, a Debezium
// change event) about payloadBytes long.
inline std::string eventJson(const std::string &channel, int64_t t, int payloadBytes)
{
    if (debeziumPayloads())
        return "{\"organization_id\":\"" + channel + "\",\"data\":" + debeziumJson(t, payloadBytes) + "}";
    const std::string head = "{\"t\":" + std::to_string(t) + ",\"pad\":\"";
    return "{\"organization_id\":\"" + channel + "\",\"data\":" + head + padding(payloadBytes, int(head.size()) + 2) +
           "\"}}";
}

// The payloads of batchJson() alone, as a webhook body: a JSON array of them.
inline std::string payloadsJson(int count, int payloadBytes)
{
    std::string body = "[";
    for (int i = 0; i < count; ++i) {
        const std::string head = "{\"t\":" + std::to_string(i) + ",\"pad\":\"";
        body += (i ? "," : "") + head + padding(payloadBytes, int(head.size()) + 2) + "\"}";
    }
    return body + "]";
}

inline std::string batchJson(const std::string &channel, int count, int payloadBytes)
{
    std::string body = "[";
    for (int i = 0; i < count; ++i) {
        if (i)
            body += ',';
        body += eventJson(channel, i, payloadBytes);
    }
    return body + "]";
}

struct Options
{
    std::string scenario;
    int port = 4053;
    int publishPort = 0; // latency, ingest: publish to this instance instead (cluster mode); 0: --port
    int subscribers = 100;
    int64_t events = 0;
    int batch = 1000;
    int payload = 200;
    int rate = 1000;
    int seconds = 10;
    int channels = 0;         // 0: the scenario's default (fanout 1, soak 100)
    int connections = 10'000; // idle
    int serverPid = 0;        // soak, idle, retained: whose RSS to report
    bool tls = false;         // every connection over TLS (wss://, https://)
    bool upgrade = true;      // handshakes: a WebSocket upgrade (0: GET /health instead)
    bool webhook = false;     // ingest: the same payloads POSTed to /channels/ingest/events (docs/webhooks.md)
};

inline Options parseOptions(int argc, char **argv)
{
    if (argc < 2)
        fail("usage: cdcscope-bench fanout|latency|travel|ingest --port P [options]; see the source header");
    Options options;
    options.scenario = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const int64_t value = std::atoll(argv[i + 1]);
        if (flag == "--port")
            options.port = int(value);
        else if (flag == "--publish-port")
            options.publishPort = int(value);
        else if (flag == "--subscribers")
            options.subscribers = int(value);
        else if (flag == "--events")
            options.events = value;
        else if (flag == "--batch")
            options.batch = int(value);
        else if (flag == "--payload")
            options.payload = int(value);
        else if (flag == "--rate")
            options.rate = int(value);
        else if (flag == "--seconds")
            options.seconds = int(value);
        else if (flag == "--channels")
            options.channels = int(value);
        else if (flag == "--connections")
            options.connections = int(value);
        else if (flag == "--server-pid")
            options.serverPid = int(value);
        else if (flag == "--tls")
            options.tls = value != 0;
        else if (flag == "--upgrade")
            options.upgrade = value != 0;
        else if (flag == "--webhook")
            options.webhook = value != 0;
        else if (flag == "--deflate")
            offerDeflate() = value != 0;
        else if (flag == "--debezium")
            debeziumPayloads() = value != 0;
        else
            fail("unknown flag " + flag);
    }
    if (options.publishPort == 0)
        options.publishPort = options.port;
    if (options.tls) {
        tlsContext() = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(tlsContext(), SSL_VERIFY_NONE, nullptr);
        // A write that waited for the socket is retried from wherever its buffer now is.
        SSL_CTX_set_mode(tlsContext(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    return options;
}

// The resident memory of a process, in KiB (-1 if it cannot be read).
inline long rssKiB(int pid)
{
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    FILE *status = std::fopen(path.c_str(), "r");
    if (!status)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, status))
        if (std::strncmp(line, "VmRSS:", 6) == 0)
            kib = std::atol(line + 6);
    std::fclose(status);
    return kib;
}

// The CPU time a process has used so far (every thread), in milliseconds, split into user and
// system time ({-1, -1} if it cannot be read): the cost of a step on a machine whose wall-clock
// figures vary with its neighbours, and how much of it is the process's own code.
struct CpuTime
{
    double userMs = -1;
    double systemMs = -1;
};

inline CpuTime cpuTime(int pid)
{
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    FILE *stat = std::fopen(path.c_str(), "r");
    if (!stat)
        return {};
    char line[1024];
    const bool read = std::fgets(line, sizeof line, stat) != nullptr;
    std::fclose(stat);
    const char *afterName = read ? std::strrchr(line, ')') : nullptr; // the name may hold spaces
    if (!afterName)
        return {};
    unsigned long long user = 0, system = 0;
    // Fields 14 and 15 (utime, stime), counted from the state (field 3) after the name.
    if (std::sscanf(afterName + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user, &system) != 2)
        return {};
    const double msPerTick = 1000.0 / double(::sysconf(_SC_CLK_TCK));
    return {double(user) * msPerTick, double(system) * msPerTick};
}

int runSoak(const Options &options); // soak.cpp

} // namespace bench
