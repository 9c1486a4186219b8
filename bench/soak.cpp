// The soak: many subscribers across many channels under steady publishing for a long time, then a
// reconnect storm in which every client drops and catches up by travel. It checks that no client
// misses an event (each client's seqs contiguous, the storm's gap filled by its travel), and reports
// the server's RSS over time and the publish->deliver latency.
#include "bench_net.h"

#include <array>
#include <fstream>
#include <set>

namespace bench {

namespace {

// Latency histogram: 10 us buckets up to 1 s, then one overflow bucket.
class Histogram
{
public:
    void add(int64_t ns)
    {
        const int64_t bucket = std::clamp<int64_t>(ns / 10'000, 0, int64_t(m_counts.size()) - 1);
        ++m_counts[size_t(bucket)];
        ++m_total;
    }
    double percentileMs(double p) const
    {
        const int64_t rank = int64_t(p * double(m_total));
        int64_t seen = 0;
        for (size_t i = 0; i < m_counts.size(); ++i) {
            seen += m_counts[i];
            if (seen > rank)
                return double(i) * 0.01;
        }
        return double(m_counts.size()) * 0.01;
    }
    int64_t total() const { return m_total; }
    void clear() { *this = Histogram(); }

private:
    std::array<int64_t, 100'001> m_counts{};
    int64_t m_total = 0;
};

std::string channelName(int index)
{
    return "soak" + std::to_string(index);
}

struct Client
{
    Subscriber socket;
    int channel = 0;
    int64_t lastSeq = 0; // contiguous up to here
    int64_t gaps = 0;
    std::set<int64_t> ahead; // during the storm: live seqs that arrived before the catch-up
};

// Connects every client: all requests first, then all answers, as a real storm arrives.
void openClients(std::vector<Client> &clients, int port, int epoll)
{
    for (Client &client : clients) {
        client.socket = Subscriber();
        startHandshake(client.socket, port, channelName(client.channel));
    }
    for (size_t i = 0; i < clients.size(); ++i) {
        finishHandshake(clients[i].socket);
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, clients[i].socket.fd, &event);
    }
}

// A frame for `client`: events advance its contiguous seq (or wait in `ahead` until the gap is
// filled) and, when `latencies` are given, add their age to each; anything else is a status frame.
void receive(Client &client, const char *begin, const char *end, std::initializer_list<Histogram *> latencies)
{
    if (end - begin < 20 || std::strncmp(begin, "{\"organization_id\"", 18) != 0)
        return;
    const int64_t seq = numberAfter(begin, end, "\"seq\":");
    const int64_t sent = numberAfter(begin, end, "\"t\":");
    if (sent > 0) {
        const int64_t age = nowNs() - sent;
        for (Histogram *latency : latencies)
            latency->add(age);
    }
    if (seq <= client.lastSeq)
        return; // the catch-up repeating a live one
    if (seq != client.lastSeq + 1) {
        client.ahead.insert(seq);
        return;
    }
    client.lastSeq = seq;
    while (!client.ahead.empty() && *client.ahead.begin() <= client.lastSeq + 1) {
        client.lastSeq = std::max(client.lastSeq, *client.ahead.begin());
        client.ahead.erase(client.ahead.begin());
    }
}

} // namespace

int runSoak(const Options &options)
{
    const int clientsCount = options.subscribers;
    const int channels = options.channels > 0 ? options.channels : 100;
    const int epoll = epoll_create1(0);
    std::vector<Client> clients(static_cast<size_t>(clientsCount));
    for (size_t i = 0; i < clients.size(); ++i)
        clients[i].channel = int(i % size_t(channels));
    openClients(clients, options.port, epoll);
    std::fprintf(stderr, "soak: %d clients on %d channels connected\n", clientsCount, channels);

    // Batches every 10 ms, round-robin over the channels: `rate` events a second in all.
    std::atomic<bool> publishing{true};
    std::atomic<int64_t> published{0};
    std::thread publisher([&] {
        HttpClient http(options.port);
        const int perBatch = std::max(1, options.rate / 100);
        int next = 0;
        const auto start = Clock::now();
        for (int64_t b = 0; publishing; ++b) {
            std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * b));
            std::string body = "[";
            for (int i = 0; i < perBatch; ++i) {
                if (i)
                    body += ',';
                body += eventJson(channelName(next), nowNs(), options.payload);
                next = (next + 1) % channels;
            }
            http.post("/events", body + "]");
            published += perBatch;
        }
    });

    Histogram steady, interval;
    // Replayed events are old by design: latency is measured in the steady phase only.
    bool measuring = true;
    epoll_event ready[512];
    const auto poll = [&](int timeoutMs) {
        const int n = epoll_wait(epoll, ready, 512, timeoutMs);
        for (int i = 0; i < n; ++i) {
            Client &client = clients[ready[i].data.u64];
            drain(client.socket, [&](const char *b, const char *e) {
                if (measuring)
                    receive(client, b, e, {&steady, &interval});
                else
                    receive(client, b, e, {});
            });
        }
    };
    const auto start = Clock::now();
    auto nextReport = start + std::chrono::seconds(30);
    while (Clock::now() - start < std::chrono::seconds(options.seconds)) {
        poll(50);
        if (Clock::now() >= nextReport) {
            nextReport += std::chrono::seconds(30);
            std::printf("t=%llds published=%lld delivered_samples=%lld p99_ms=%.2f server_rss_kib=%ld\n",
                        (long long)std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count(),
                        (long long)published.load(), (long long)interval.total(), interval.percentileMs(0.99),
                        options.serverPid ? rssKiB(options.serverPid) : -1L);
            std::fflush(stdout);
            interval.clear();
        }
    }

    // The storm: every client drops and reconnects at once while publishing goes on, then asks for
    // what it missed with a travel since its last seq.
    std::fprintf(stderr, "soak: reconnect storm\n");
    const auto stormStart = Clock::now();
    measuring = false;
    for (size_t i = 0; i < clients.size(); ++i) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, clients[i].socket.fd, nullptr);
        closeConnection(clients[i].socket.fd);
    }
    openClients(clients, options.port, epoll);
    for (Client &client : clients)
        sendText(client.socket, "{\"type\":\"travel\",\"organization_id\":\"" + channelName(client.channel) +
                                    "\",\"since_seq\":" + std::to_string(client.lastSeq) + "}");
    const double stormSeconds = std::chrono::duration<double>(Clock::now() - stormStart).count();
    // Caught up: every client contiguous up to the newest seq any client of its channel has.
    const auto caughtUp = [&] {
        std::vector<int64_t> newest(size_t(channels), 0);
        for (const Client &client : clients)
            newest[size_t(client.channel)] = std::max(newest[size_t(client.channel)],
                                                      client.ahead.empty() ? client.lastSeq : *client.ahead.rbegin());
        for (const Client &client : clients)
            if (!client.ahead.empty() || client.lastSeq < newest[size_t(client.channel)])
                return false;
        return true;
    };
    double caughtUpSeconds = -1;
    const auto afterStorm = Clock::now();
    while (Clock::now() - afterStorm < std::chrono::seconds(5) || caughtUpSeconds < 0) {
        poll(50);
        if (caughtUpSeconds < 0 && caughtUp())
            caughtUpSeconds = std::chrono::duration<double>(Clock::now() - stormStart).count();
        if (Clock::now() - afterStorm > std::chrono::seconds(60))
            break;
    }
    publishing = false;
    publisher.join();
    // Drain: every client should reach its channel's last seq.
    auto lastProgress = Clock::now();
    int64_t previousSum = -1;
    while (Clock::now() - lastProgress < std::chrono::seconds(3)) {
        poll(50);
        int64_t sum = 0;
        for (const Client &client : clients)
            sum += client.lastSeq;
        if (sum != previousSum) {
            previousSum = sum;
            lastProgress = Clock::now();
        }
    }
    // Each channel's last seq is what the most advanced of its clients saw; everyone must be there.
    std::vector<int64_t> channelLast(size_t(channels), 0);
    for (const Client &client : clients) {
        channelLast[size_t(client.channel)] = std::max(channelLast[size_t(client.channel)], client.lastSeq);
        if (!client.ahead.empty())
            channelLast[size_t(client.channel)] = std::max(channelLast[size_t(client.channel)], *client.ahead.rbegin());
    }
    int64_t behind = 0, holes = 0, expectedTotal = 0, delivered = 0;
    for (const Client &client : clients) {
        behind += client.lastSeq < channelLast[size_t(client.channel)];
        holes += !client.ahead.empty();
        delivered += client.lastSeq;
    }
    for (int c = 0; c < channels; ++c)
        expectedTotal += channelLast[size_t(c)] * (clientsCount / channels + (c < clientsCount % channels));
    std::printf("scenario=soak clients=%d channels=%d rate=%d seconds=%d published=%lld deliveries=%lld "
                "expected=%lld clients_behind=%lld clients_with_holes=%lld steady_p50_ms=%.2f steady_p99_ms=%.2f "
                "steady_p999_ms=%.2f storm_reconnect_s=%.2f storm_caught_up_s=%.2f server_rss_kib=%ld\n",
                clientsCount, channels, options.rate, options.seconds, (long long)published.load(),
                (long long)delivered, (long long)expectedTotal, (long long)behind, (long long)holes,
                steady.percentileMs(0.5), steady.percentileMs(0.99), steady.percentileMs(0.999), stormSeconds,
                caughtUpSeconds, options.serverPid ? rssKiB(options.serverPid) : -1L);
    for (const Client &client : clients)
        closeConnection(client.socket.fd);
    return behind == 0 && holes == 0 && delivered == expectedTotal ? 0 : 1;
}

} // namespace bench
