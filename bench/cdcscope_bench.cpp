// cdcscope-bench: measures a running CDC server (CDC Scope or anything speaking the protocol).
//   cdcscope-bench fanout  --port P [--subscribers 100] [--events 200000] [--batch 1000] [--payload 200]
//   cdcscope-bench latency --port P [--subscribers 100] [--rate 1000] [--seconds 10] [--payload 200]
//   cdcscope-bench travel  --port P [--events 50000] [--payload 200]
//   cdcscope-bench ingest  --port P [--events 500000] [--batch 1000] [--payload 200]
//   cdcscope-bench steady  --port P [--subscribers 10] [--rate 20000] [--seconds 10] [--payload 200]
//   cdcscope-bench sink    --port P [--subscribers 10] --events N
//       (subscribes to channel "bench", prints "ready" on stderr, then waits for N events per
//       subscriber from another producer, e.g. PostgreSQL; latency from each payload's "t", the
//       producer's wall clock in microseconds)
// Prints one line of `key=value` figures. Plain POSIX sockets and epoll; no Qt, so the numbers are
// the server's, not a client library's.
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string &message)
{
    std::fprintf(stderr, "cdcscope-bench: %s\n", message.c_str());
    std::exit(2);
}

int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int connectTo(int port)
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
    return fd;
}

void sendAll(int fd, const std::string &data)
{
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
    ~HttpClient() { ::close(m_fd); }

    // Returns the response body; fails on a non-2xx status.
    std::string post(const std::string &path, const std::string &body)
    {
        sendAll(m_fd, "POST " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body);
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
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
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
    bool closed = false;
};

void handshake(Subscriber &subscriber, int port, const std::string &client)
{
    subscriber.fd = connectTo(port);
    sendAll(subscriber.fd,
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Athena-Client: " +
                client + "\r\n\r\n");
    char chunk[4096];
    while (subscriber.buffer.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(subscriber.fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            fail("handshake failed");
        subscriber.buffer.append(chunk, size_t(n));
    }
    if (subscriber.buffer.compare(0, 12, "HTTP/1.1 101") != 0)
        fail("upgrade refused: " + subscriber.buffer.substr(0, subscriber.buffer.find("\r\n")));
    subscriber.buffer.erase(0, subscriber.buffer.find("\r\n\r\n") + 4);
}

void sendText(Subscriber &subscriber, const std::string &text)
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

int64_t numberAfter(const char *begin, const char *end, const char *key)
{
    const size_t keyLength = std::strlen(key);
    const char *found = std::search(begin, end, key, key + keyLength);
    return found == end ? -1 : std::strtoll(found + keyLength, nullptr, 10);
}

// Reads what is available and calls onText(payload begin, end) for every complete text frame.
template <typename OnText> void drain(Subscriber &subscriber, OnText onText)
{
    char chunk[1 << 16];
    for (;;) {
        const ssize_t n = ::recv(subscriber.fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n == 0) {
            subscriber.closed = true;
            break;
        }
        if (n < 0)
            break;
        subscriber.buffer.append(chunk, size_t(n));
    }
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
        if (opcode == 0x1)
            onText(payload, payload + length);
        else if (opcode == 0x9) // answer pings so long runs are not cut as idle
            sendAll(subscriber.fd, std::string("\x8A\x80\0\0\0\0", 6));
        else if (opcode == 0x8)
            subscriber.closed = true;
        subscriber.position += header + length;
    }
    if (subscriber.position > (1 << 20)) {
        subscriber.buffer.erase(0, subscriber.position);
        subscriber.position = 0;
    }
}

void countEvent(Subscriber &subscriber, const char *begin, const char *end)
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

std::vector<Subscriber> connectSubscribers(int port, int count, const std::string &channel)
{
    std::vector<Subscriber> subscribers(static_cast<size_t>(count));
    for (Subscriber &subscriber : subscribers) {
        handshake(subscriber, port, channel);
        // Wait for the greeting so every subscriber is registered before the first publish.
        while (subscriber.buffer.find("subscribed") == std::string::npos) {
            char chunk[4096];
            const ssize_t n = ::recv(subscriber.fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                fail("no greeting");
            subscriber.buffer.append(chunk, size_t(n));
        }
        subscriber.position = 0;
        drain(subscriber, [](const char *, const char *) {});
    }
    return subscribers;
}

std::string padding(int payloadBytes, int used)
{
    return std::string(size_t(std::max(1, payloadBytes - used)), 'x');
}

// {"organization_id":C,"data":{"t":NS,"pad":"xxx"}} with the payload (the "data") about payloadBytes long.
std::string eventJson(const std::string &channel, int64_t t, int payloadBytes)
{
    const std::string head = "{\"t\":" + std::to_string(t) + ",\"pad\":\"";
    return "{\"organization_id\":\"" + channel + "\",\"data\":" + head + padding(payloadBytes, int(head.size()) + 2) +
           "\"}}";
}

std::string batchJson(const std::string &channel, int count, int payloadBytes)
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
    int subscribers = 100;
    int64_t events = 0;
    int batch = 1000;
    int payload = 200;
    int rate = 1000;
    int seconds = 10;
};

Options parseOptions(int argc, char **argv)
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
        else
            fail("unknown flag " + flag);
    }
    return options;
}

int runFanout(const Options &options)
{
    const int64_t events = options.events ? options.events : 200'000;
    const std::string channel = "fanout";
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, options.subscribers, channel);
    const std::string body = batchJson(channel, options.batch, options.payload);
    const int64_t batches = events / options.batch;
    std::atomic<int64_t> slowestReceived{0};

    const double cpuBefore = cpuSeconds();
    const auto start = Clock::now();
    std::thread publisher([&] {
        HttpClient http(options.port);
        for (int64_t b = 0; b < batches; ++b) {
            // At most two batches in flight beyond the slowest subscriber: the server's queues stay
            // small, so this measures throughput, not buffering.
            while (slowestReceived.load() < (b - 2) * options.batch)
                std::this_thread::sleep_for(std::chrono::microseconds(50));
            http.post("/events", body);
        }
    });

    const int epoll = epoll_create1(0);
    for (size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i].fd, &event);
    }
    const int64_t expected = batches * options.batch;
    epoll_event ready[256];
    for (;;) {
        const int n = epoll_wait(epoll, ready, 256, 1000);
        for (int i = 0; i < n; ++i) {
            Subscriber &subscriber = subscribers[ready[i].data.u64];
            drain(subscriber, [&](const char *b, const char *e) { countEvent(subscriber, b, e); });
        }
        int64_t slowest = expected;
        bool anyClosed = false;
        for (const Subscriber &subscriber : subscribers) {
            slowest = std::min(slowest, subscriber.events);
            anyClosed |= subscriber.closed;
        }
        slowestReceived = slowest;
        if (slowest >= expected || anyClosed)
            break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    publisher.join();
    int64_t delivered = 0, disorder = 0;
    for (const Subscriber &subscriber : subscribers) {
        delivered += subscriber.events;
        disorder += subscriber.outOfOrder;
        ::close(subscriber.fd);
    }
    std::printf("scenario=fanout subscribers=%d events=%lld deliveries=%lld seconds=%.3f deliveries_per_s=%.0f "
                "out_of_order=%lld bench_cpu=%.0f%%\n",
                options.subscribers, (long long)expected, (long long)delivered, seconds, double(delivered) / seconds,
                (long long)disorder, 100.0 * (cpuSeconds() - cpuBefore) / seconds);
    return delivered == expected * options.subscribers && disorder == 0 ? 0 : 1;
}

int runLatency(const Options &options)
{
    const std::string channel = "latency";
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, options.subscribers, channel);
    const int64_t total = int64_t(options.rate) * options.seconds;
    std::atomic<bool> publishing{true};
    std::thread publisher([&] {
        HttpClient http(options.port);
        const auto start = Clock::now();
        const auto interval = std::chrono::nanoseconds(1'000'000'000LL / options.rate);
        for (int64_t i = 0; i < total; ++i) {
            // Sleep to an absolute schedule: no busy waiting that would compete with the server
            // and the receiving thread for the two cores.
            std::this_thread::sleep_until(start + i * interval);
            http.post("/events", eventJson(channel, nowNs(), options.payload));
        }
        publishing = false;
    });

    std::vector<int64_t> latencies;
    latencies.reserve(size_t(total * options.subscribers));
    const int epoll = epoll_create1(0);
    for (size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i].fd, &event);
    }
    epoll_event ready[256];
    const int64_t expected = total * options.subscribers;
    int64_t lastProgress = nowNs();
    while (int64_t(latencies.size()) < expected && nowNs() - lastProgress < 5'000'000'000LL) {
        const int n = epoll_wait(epoll, ready, 256, 100);
        for (int i = 0; i < n; ++i) {
            Subscriber &subscriber = subscribers[ready[i].data.u64];
            drain(subscriber, [&](const char *b, const char *e) {
                const int64_t sent = numberAfter(b, e, "\"t\":");
                if (sent > 0) {
                    latencies.push_back(nowNs() - sent);
                    lastProgress = nowNs();
                }
            });
        }
    }
    publisher.join();
    std::sort(latencies.begin(), latencies.end());
    const auto percentile = [&](double p) {
        return latencies.empty() ? 0.0 : double(latencies[size_t(p * double(latencies.size() - 1))]) / 1e6;
    };
    std::printf(
        "scenario=latency subscribers=%d rate=%d samples=%zu p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
        options.subscribers, options.rate, latencies.size(), percentile(0.5), percentile(0.99), percentile(0.999),
        percentile(1.0));
    for (const Subscriber &subscriber : subscribers)
        ::close(subscriber.fd);
    return int64_t(latencies.size()) == expected ? 0 : 1;
}

// A fixed publish rate (batches every 10 ms) with subscribers counting what reaches them: does the
// server keep up, and at what delivery rate.
int runSteady(const Options &options)
{
    const std::string channel = "steady";
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, options.subscribers, channel);
    const int perBatch = std::max(1, options.rate / 100);
    const int64_t batches = int64_t(options.seconds) * 100;
    const std::string body = batchJson(channel, perBatch, options.payload);
    std::atomic<bool> done{false};
    const auto start = Clock::now();
    std::thread publisher([&] {
        HttpClient http(options.port);
        for (int64_t b = 0; b < batches; ++b) {
            std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * b));
            http.post("/events", body);
        }
        done = true;
    });
    const int epoll = epoll_create1(0);
    for (size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i].fd, &event);
    }
    const int64_t expected = batches * perBatch;
    epoll_event ready[256];
    auto lastProgress = Clock::now();
    for (;;) {
        const int n = epoll_wait(epoll, ready, 256, 100);
        for (int i = 0; i < n; ++i) {
            Subscriber &subscriber = subscribers[ready[i].data.u64];
            drain(subscriber, [&](const char *b, const char *e) { countEvent(subscriber, b, e); });
            lastProgress = Clock::now();
        }
        int64_t slowest = expected;
        for (const Subscriber &subscriber : subscribers)
            slowest = std::min(slowest, subscriber.events);
        if (slowest >= expected || (done && Clock::now() - lastProgress > std::chrono::seconds(2)))
            break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    publisher.join();
    int64_t delivered = 0;
    for (const Subscriber &subscriber : subscribers) {
        delivered += subscriber.events;
        ::close(subscriber.fd);
    }
    std::printf("scenario=steady subscribers=%d rate=%d seconds=%.3f deliveries=%lld expected=%lld "
                "deliveries_per_s=%.0f\n",
                options.subscribers, options.rate, seconds, (long long)delivered,
                (long long)(expected * options.subscribers), double(delivered) / seconds);
    return delivered == expected * options.subscribers ? 0 : 1;
}

int runTravel(const Options &options)
{
    const int64_t events = options.events ? options.events : 50'000;
    const std::string channel = "travel";
    {
        HttpClient http(options.port);
        for (int64_t published = 0; published < events; published += options.batch)
            http.post("/events",
                      batchJson(channel, int(std::min<int64_t>(options.batch, events - published)), options.payload));
    }
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, 1, channel);
    Subscriber &client = subscribers.front();
    const auto start = Clock::now();
    sendText(client, "{\"type\":\"travel\",\"organization_id\":\"travel\",\"since_seq\":0,\"limit\":" +
                         std::to_string(events) + "}");
    pollfd pfd{client.fd, POLLIN, 0};
    while (client.acks == 0 && !client.closed) {
        ::poll(&pfd, 1, 1000);
        drain(client, [&](const char *b, const char *e) { countEvent(client, b, e); });
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::printf("scenario=travel events=%lld received=%lld ms=%.1f\n", (long long)events, (long long)client.events, ms);
    ::close(client.fd);
    return client.events == events ? 0 : 1;
}

int runIngest(const Options &options)
{
    const int64_t events = options.events ? options.events : 500'000;
    const std::string body = batchJson("ingest", options.batch, options.payload);
    HttpClient http(options.port);
    const double cpuBefore = cpuSeconds();
    const auto start = Clock::now();
    int64_t published = 0;
    for (; published + options.batch <= events; published += options.batch)
        http.post("/events", body);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("scenario=ingest events=%lld batch=%d seconds=%.3f events_per_s=%.0f bench_cpu=%.0f%%\n",
                (long long)published, options.batch, seconds, double(published) / seconds,
                100.0 * (cpuSeconds() - cpuBefore) / seconds);
    return 0;
}

} // namespace

// Events produced elsewhere (bench/postgres.sh: rows inserted into PostgreSQL): how fast they
// arrive at the subscribers, and how long after the producer stamped them.
int runSink(const Options &options)
{
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, options.subscribers, "bench");
    std::fprintf(stderr, "ready\n");
    std::fflush(stderr);
    const auto wallMicros = [] {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    const int epoll = epoll_create1(0);
    for (size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i].fd, &event);
    }
    std::vector<int64_t> latencies;
    const int64_t expected = options.events * options.subscribers;
    latencies.reserve(size_t(expected));
    int64_t first = 0, last = 0;
    const int64_t started = nowNs();
    epoll_event ready[256];
    while (int64_t(latencies.size()) < expected) {
        const int64_t idleLimit = first ? 10'000'000'000LL : 120'000'000'000LL;
        if (nowNs() - (last ? last : started) > idleLimit)
            break;
        const int n = epoll_wait(epoll, ready, 256, 100);
        for (int i = 0; i < n; ++i) {
            Subscriber &subscriber = subscribers[ready[i].data.u64];
            drain(subscriber, [&](const char *b, const char *e) {
                const int64_t stamped = numberAfter(b, e, "\"t\":");
                if (stamped <= 0)
                    return;
                latencies.push_back(wallMicros() - stamped);
                last = nowNs();
                if (!first)
                    first = last;
            });
        }
    }
    std::sort(latencies.begin(), latencies.end());
    const auto percentile = [&](double p) {
        return latencies.empty() ? 0.0 : double(latencies[size_t(p * double(latencies.size() - 1))]) / 1e3;
    };
    const double seconds = first && last > first ? double(last - first) / 1e9 : 0.0;
    std::printf("scenario=sink subscribers=%d deliveries=%zu changes_per_s=%.0f deliveries_per_s=%.0f p50_ms=%.3f "
                "p99_ms=%.3f max_ms=%.3f\n",
                options.subscribers, latencies.size(),
                seconds > 0 ? double(latencies.size()) / options.subscribers / seconds : 0.0,
                seconds > 0 ? double(latencies.size()) / seconds : 0.0, percentile(0.5), percentile(0.99),
                percentile(1.0));
    for (const Subscriber &subscriber : subscribers)
        ::close(subscriber.fd);
    return int64_t(latencies.size()) == expected ? 0 : 1;
}

int main(int argc, char **argv)
{
    const Options options = parseOptions(argc, argv);
    if (options.scenario == "fanout")
        return runFanout(options);
    if (options.scenario == "latency")
        return runLatency(options);
    if (options.scenario == "travel")
        return runTravel(options);
    if (options.scenario == "ingest")
        return runIngest(options);
    if (options.scenario == "steady")
        return runSteady(options);
    if (options.scenario == "sink")
        return runSink(options);
    fail("unknown scenario " + options.scenario);
}
