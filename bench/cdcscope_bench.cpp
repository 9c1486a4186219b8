// cdcscope-bench: measures a running CDC server (CDC Scope or anything speaking the protocol).
//   cdcscope-bench fanout  --port P [--subscribers 100] [--events 200000] [--batch 1000] [--payload 200]
//   cdcscope-bench latency --port P [--subscribers 100] [--rate 1000] [--seconds 10] [--payload 200]
//   cdcscope-bench travel  --port P [--events 50000] [--payload 200]
//   cdcscope-bench ingest  --port P [--events 500000] [--batch 1000] [--payload 200]
//   cdcscope-bench steady  --port P [--subscribers 10] [--rate 20000] [--seconds 10] [--payload 200]
//   cdcscope-bench soak    --port P [--subscribers 2000] [--channels 100] [--rate 2000] [--seconds 600]
//                          [--server-pid PID] [--payload 200]   (soak.cpp)
//   cdcscope-bench sink    --port P [--subscribers 10] --events N
//       (subscribes to channel "bench", prints "ready" on stderr, then waits for N events per
//       subscriber from another producer, e.g. PostgreSQL; latency from each payload's "t", the
//       producer's wall clock in microseconds)
// Prints one line of `key=value` figures. Plain POSIX sockets and epoll; no Qt, so the numbers are
// the server's, not a client library's.
#include "bench_net.h"

using namespace bench;

namespace {

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
    if (options.scenario == "soak")
        return runSoak(options);
    fail("unknown scenario " + options.scenario);
}
