// cdcscope-bench: measures a running CDC server (CDC Scope or anything speaking the protocol).
//   Every scenario takes --tls 1: wss:// and https:// instead of ws:// and http://; --deflate 1:
//   subscribers offer permessage-deflate and inflate what comes compressed; --debezium 1:
//   Debezium-shaped payloads (they compress as CDC payloads do) instead of padding.
//   cdcscope-bench fanout  --port P [--subscribers 100] [--channels 1] [--events 200000] [--batch 1000] [--payload 200]
//       (subscribers spread over the channels round-robin; batches go to the channels in turn)
//   cdcscope-bench latency --port P [--publish-port Q] [--subscribers 100] [--rate 1000] [--seconds 10]
//                          [--payload 200]   (subscribers on P; publishing to Q, another cluster member)
//   cdcscope-bench travel  --port P [--events 50000] [--payload 200]
//   cdcscope-bench ingest  --port P [--publish-port Q] [--events 500000] [--batch 1000] [--payload 200] [--webhook 1]
//   cdcscope-bench steady  --port P [--subscribers 10] [--rate 20000] [--seconds 10] [--payload 200]
//   cdcscope-bench soak    --port P [--subscribers 2000] [--channels 100] [--rate 2000] [--seconds 600]
//                          [--server-pid PID] [--payload 200]   (soak.cpp)
//   cdcscope-bench idle    --port P --server-pid PID [--connections 10000]
//       (that many WebSocket clients connect and stay silent; the server's RSS before and after)
//   cdcscope-bench retained --port P --server-pid PID [--events 100000] [--payload 200]
//       (the server's RSS growth per stored event, against the payload's size)
//   cdcscope-bench handshakes --port P [--connections 2000] [--subscribers 4] [--upgrade 1]
//       (connections opened one after another on --subscribers threads: connect, TLS handshake with
//       --tls 1, upgrade, greeting, close — or with --upgrade 0 a GET /health instead; connections
//       per second)
//   cdcscope-bench crowd   --port P [--connections 10000] [--subscribers 100] [--server-pid PID] [--payload 200]
//                          [--events K]   (K broadcasts, the median reported)
//       (a reconnect storm: that many clients of channel "crowd" connect, --subscribers of them
//       upgrading at a time; then one event to all of them: seconds to greet them all, and
//       milliseconds from the POST until every one has read the event; with --server-pid the RSS
//       per idle connection)
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
    const int channels = std::max(1, options.channels);
    std::vector<Subscriber> subscribers;
    std::vector<std::string> bodies;
    for (int c = 0; c < channels; ++c) {
        const std::string channel = "fanout" + std::to_string(c);
        const int count = options.subscribers / channels + (c < options.subscribers % channels ? 1 : 0);
        for (Subscriber &subscriber : connectSubscribers(options.port, count, channel))
            subscribers.push_back(std::move(subscriber));
        bodies.push_back(batchJson(channel, options.batch, options.payload));
    }
    const int64_t batches = events / options.batch;
    // Subscriber i follows channel i % channels and expects the batches b with b % channels == that.
    const auto channelOf = [&](size_t i) { return int(i % size_t(channels)); };
    const auto expectedOf = [&](size_t i) {
        return (batches / channels + (channelOf(i) < batches % channels ? 1 : 0)) * options.batch;
    };
    std::atomic<int64_t> slowestBatch{0}; // the oldest batch some subscriber still waits for

    const double cpuBefore = cpuSeconds();
    const auto start = Clock::now();
    std::thread publisher([&] {
        HttpClient http(options.port);
        for (int64_t b = 0; b < batches; ++b) {
            // At most two rounds of batches in flight beyond the slowest subscriber: the server's
            // queues stay small, so this measures throughput, not buffering.
            while (slowestBatch.load() < b - 2 * channels)
                std::this_thread::sleep_for(std::chrono::microseconds(50));
            http.post("/events", bodies[size_t(b % channels)]);
        }
    });

    const int epoll = epoll_create1(0);
    for (size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{EPOLLIN, {.u64 = i}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i].fd, &event);
    }
    epoll_event ready[256];
    for (;;) {
        const int n = epoll_wait(epoll, ready, 256, 1000);
        for (int i = 0; i < n; ++i) {
            Subscriber &subscriber = subscribers[ready[i].data.u64];
            drain(subscriber, [&](const char *b, const char *e) { countEvent(subscriber, b, e); });
        }
        int64_t slowest = batches;
        bool done = true, anyClosed = false;
        for (size_t i = 0; i < subscribers.size(); ++i) {
            const Subscriber &subscriber = subscribers[i];
            slowest = std::min(slowest, subscriber.events / options.batch * channels + channelOf(i));
            done &= subscriber.events >= expectedOf(i);
            anyClosed |= subscriber.closed;
        }
        slowestBatch = slowest;
        if (done || anyClosed)
            break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    publisher.join();
    int64_t delivered = 0, expected = 0, disorder = 0, wireBytes = 0;
    for (size_t i = 0; i < subscribers.size(); ++i) {
        delivered += subscribers[i].events;
        expected += expectedOf(i);
        disorder += subscribers[i].outOfOrder;
        wireBytes += subscribers[i].wireBytes;
        closeConnection(subscribers[i].fd);
    }
    ::close(epoll);
    std::printf("scenario=fanout tls=%d deflate=%d subscribers=%d channels=%d events=%lld deliveries=%lld seconds=%.3f "
                "deliveries_per_s=%.0f wire_bytes_per_event=%.0f out_of_order=%lld bench_cpu=%.0f%%\n",
                int(options.tls), int(offerDeflate()), options.subscribers, channels,
                (long long)(batches * options.batch), (long long)delivered, seconds, double(delivered) / seconds,
                delivered ? double(wireBytes) / double(delivered) : 0.0, (long long)disorder,
                100.0 * (cpuSeconds() - cpuBefore) / seconds);
    return delivered == expected && disorder == 0 ? 0 : 1;
}

int runLatency(const Options &options)
{
    const std::string channel = "latency";
    std::vector<Subscriber> subscribers = connectSubscribers(options.port, options.subscribers, channel);
    const int64_t total = int64_t(options.rate) * options.seconds;
    const double cpuBefore = cpuSeconds();
    const int64_t startedNs = nowNs();
    std::atomic<bool> publishing{true};
    std::thread publisher([&] {
        HttpClient http(options.publishPort);
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
    const double benchCpu = 100.0 * (cpuSeconds() - cpuBefore) / (double(nowNs() - startedNs) / 1e9);
    std::sort(latencies.begin(), latencies.end());
    const auto percentile = [&](double p) {
        return latencies.empty() ? 0.0 : double(latencies[size_t(p * double(latencies.size() - 1))]) / 1e6;
    };
    std::printf("scenario=latency subscribers=%d rate=%d samples=%zu p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
                "bench_cpu=%.0f%%\n",
                options.subscribers, options.rate, latencies.size(), percentile(0.5), percentile(0.99),
                percentile(0.999), percentile(1.0), benchCpu);
    for (const Subscriber &subscriber : subscribers)
        closeConnection(subscriber.fd);
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
        closeConnection(subscriber.fd);
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
    closeConnection(client.fd);
    return client.events == events ? 0 : 1;
}

int runIngest(const Options &options)
{
    const int64_t events = options.events ? options.events : 500'000;
    const std::string body = options.webhook ? payloadsJson(options.batch, options.payload)
                                             : batchJson("ingest", options.batch, options.payload);
    const std::string path = options.webhook ? "/channels/ingest/events" : "/events";
    HttpClient http(options.publishPort);
    const double cpuBefore = cpuSeconds();
    const auto start = Clock::now();
    int64_t published = 0;
    for (; published + options.batch <= events; published += options.batch)
        http.post(path, body);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("scenario=ingest path=%s events=%lld batch=%d seconds=%.3f events_per_s=%.0f bench_cpu=%.0f%%\n",
                path.c_str(), (long long)published, options.batch, seconds, double(published) / seconds,
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
        closeConnection(subscriber.fd);
    return int64_t(latencies.size()) == expected ? 0 : 1;
}

int runIdle(const Options &options)
{
    if (!options.serverPid)
        fail("idle needs --server-pid");
    const long before = rssKiB(options.serverPid);
    std::vector<Subscriber> clients = connectSubscribers(options.port, options.connections, "idle");
    std::this_thread::sleep_for(std::chrono::seconds(2)); // let the server settle
    const long after = rssKiB(options.serverPid);
    std::printf("scenario=idle connections=%d rss_before_mib=%.1f rss_mib=%.1f kib_per_connection=%.1f\n",
                options.connections, double(before) / 1024, double(after) / 1024,
                double(after - before) / options.connections);
    for (Subscriber &client : clients)
        closeConnection(client.fd);
    return 0;
}

int runRetained(const Options &options)
{
    if (!options.serverPid)
        fail("retained needs --server-pid");
    const int64_t events = options.events ? options.events : 100'000;
    const long before = rssKiB(options.serverPid);
    {
        HttpClient http(options.port);
        const std::string body = batchJson("retained", options.batch, options.payload);
        for (int64_t published = 0; published + options.batch <= events; published += options.batch)
            http.post("/events", body);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long after = rssKiB(options.serverPid);
    const double perEvent = double(after - before) * 1024 / double(events);
    std::printf("scenario=retained events=%lld payload=%d bytes_per_event=%.0f times_payload=%.2f\n", (long long)events,
                options.payload, perEvent, perEvent / options.payload);
    return 0;
}

// A reconnect storm and one event to all (issue 32): --connections N clients of channel "crowd",
// --subscribers K of them upgrading at a time (connect, upgrade, the greeting; the next starts as
// one is greeted), then one POST /events and the time until every client has read the event.
// With --server-pid, the server's RSS before and after, per connection.
int runCrowd(const Options &options)
{
    const int total = options.connections;
    const int inFlight = std::max(1, options.subscribers);
    const long rssBefore = options.serverPid ? rssKiB(options.serverPid) : -1;
    std::vector<Subscriber> clients(static_cast<size_t>(total));
    const int poller = ::epoll_create1(0);
    const auto watch = [poller](int fd, size_t index) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = index;
        if (::epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event) != 0)
            fail(std::string("epoll_ctl: ") + std::strerror(errno));
    };
    // Reads what arrived for a client; true once `text` is in what it has read since the upgrade.
    const auto readUntil = [](Subscriber &client, const char *text) {
        char chunk[4096];
        for (;;) {
            const ssize_t n = receive(client.fd, chunk, sizeof chunk, false);
            if (n == 0)
                fail("the server closed a connection");
            if (n < 0)
                break;
            client.buffer.append(chunk, size_t(n));
        }
        return client.buffer.find(text) != std::string::npos;
    };
    std::vector<epoll_event> ready(4096);
    const CpuTime greetCpuBefore = options.serverPid ? cpuTime(options.serverPid) : CpuTime{};
    const auto start = Clock::now();
    int started = 0;
    int greeted = 0;
    while (greeted < total) {
        while (started < total && started - greeted < inFlight) {
            Subscriber &client = clients[size_t(started)];
            startHandshake(client, options.port, "crowd");
            watch(client.fd, size_t(started));
            ++started;
        }
        const int count = ::epoll_wait(poller, ready.data(), int(ready.size()), 10'000);
        if (count == 0)
            fail("no greeting for 10 s (" + std::to_string(greeted) + " of " + std::to_string(total) + " greeted)");
        for (int i = 0; i < count; ++i) {
            Subscriber &client = clients[ready[size_t(i)].data.u64];
            if (client.acks == 0 && readUntil(client, "subscribed")) {
                client.acks = 1; // greeted
                client.buffer.clear();
                ++greeted;
            }
        }
    }
    const double greetSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    const CpuTime greetCpuAfter = options.serverPid ? cpuTime(options.serverPid) : CpuTime{};
    std::this_thread::sleep_for(std::chrono::seconds(1)); // let the server settle before reading its RSS
    const long rssIdle = options.serverPid ? rssKiB(options.serverPid) : -1;

    // --events K: K broadcasts one after another, each timed until every client has read it; the
    // median is reported (one broadcast is a single sample on a noisy machine).
    const int64_t broadcasts = std::max<int64_t>(1, options.events);
    std::vector<double> broadcastTimes;
    HttpClient publisher(options.port);
    const CpuTime cpuBefore = options.serverPid ? cpuTime(options.serverPid) : CpuTime{};
    for (int64_t round = 1; round <= broadcasts; ++round) {
        const auto sent = Clock::now();
        publisher.post("/events", batchJson("crowd", 1, options.payload));
        int received = 0;
        while (received < total) {
            const int count = ::epoll_wait(poller, ready.data(), int(ready.size()), 10'000);
            if (count == 0)
                fail("the event reached " + std::to_string(received) + " of " + std::to_string(total) + " in 10 s");
            for (int i = 0; i < count; ++i) {
                Subscriber &client = clients[ready[size_t(i)].data.u64];
                if (client.events >= round)
                    continue;
                // Whole frames, inflated when they came compressed (--deflate 1).
                drain(client, [&](const char *begin, const char *end) { countEvent(client, begin, end); });
                if (client.closed)
                    fail("the server closed a connection");
                if (client.events >= round)
                    ++received;
            }
        }
        broadcastTimes.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    }
    std::sort(broadcastTimes.begin(), broadcastTimes.end());
    const double broadcastMs = broadcastTimes[broadcastTimes.size() / 2];
    const CpuTime cpuAfter = options.serverPid ? cpuTime(options.serverPid) : CpuTime{};
    // Busy: right after every connection was sent something (its latency samples not reported yet).
    const long rssBusy = options.serverPid ? rssKiB(options.serverPid) : -1;
    std::printf("scenario=crowd connections=%d in_flight=%d greet_s=%.3f greeted_per_s=%.0f broadcast_ms=%.1f", total,
                inFlight, greetSeconds, double(total) / greetSeconds, broadcastMs);
    if (options.serverPid)
        std::printf(" rss_before_mib=%.1f rss_idle_mib=%.1f kib_per_idle_connection=%.1f kib_per_busy_connection=%.1f",
                    double(rssBefore) / 1024, double(rssIdle) / 1024, double(rssIdle - rssBefore) / total,
                    double(rssBusy - rssBefore) / total);
    if (greetCpuBefore.userMs >= 0 && greetCpuAfter.userMs >= 0) // the server's CPU (all threads) greeting them
        std::printf(" server_user_s_greeting=%.2f server_system_s_greeting=%.2f",
                    (greetCpuAfter.userMs - greetCpuBefore.userMs) / 1000,
                    (greetCpuAfter.systemMs - greetCpuBefore.systemMs) / 1000);
    if (cpuBefore.userMs >= 0 && cpuAfter.userMs >= 0) // the server's CPU (all threads) per broadcast, on average
        std::printf(" server_user_ms_per_broadcast=%.1f server_system_ms_per_broadcast=%.1f",
                    (cpuAfter.userMs - cpuBefore.userMs) / double(broadcasts),
                    (cpuAfter.systemMs - cpuBefore.systemMs) / double(broadcasts));
    std::printf("\n");
    for (Subscriber &client : clients)
        closeConnection(client.fd);
    ::close(poller);
    return 0;
}

int runHandshakes(const Options &options)
{
    const int64_t total = options.connections;
    const int threads = std::max(1, options.subscribers);
    std::atomic<int64_t> next{0};
    const double cpuBefore = cpuSeconds();
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            while (next.fetch_add(1) < total) {
                if (!options.upgrade) {
                    HttpClient(options.port).get("/health");
                    continue;
                }
                Subscriber subscriber;
                handshake(subscriber, options.port, "handshakes");
                awaitGreeting(subscriber);
                closeConnection(subscriber.fd);
            }
        });
    for (std::thread &worker : workers)
        worker.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("scenario=handshakes tls=%d upgrade=%d connections=%lld threads=%d seconds=%.3f handshakes_per_s=%.0f "
                "bench_cpu=%.0f%%\n",
                int(options.tls), int(options.upgrade), (long long)total, threads, seconds, double(total) / seconds,
                100.0 * (cpuSeconds() - cpuBefore) / seconds);
    return 0;
}

int main(int argc, char **argv)
{
    // Thousands of connections need as many descriptors as the system allows.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
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
    if (options.scenario == "crowd")
        return runCrowd(options);
    if (options.scenario == "handshakes")
        return runHandshakes(options);
    if (options.scenario == "sink")
        return runSink(options);
    if (options.scenario == "soak")
        return runSoak(options);
    if (options.scenario == "idle")
        return runIdle(options);
    if (options.scenario == "retained")
        return runRetained(options);
    fail("unknown scenario " + options.scenario);
}
