// cdcscope-minimal-server: the least a server must do for cdcscope-bench's crowd and fanout
// scenarios (issue 32) — the reference CDC Scope's figures are compared with, and the loopback
// limit of fan-out. It answers each WebSocket upgrade with 101 and a greeting and notes the
// client's channel (X-Athena-Client). Any other request is a publish: answered 200 at once, then
// its events — the body's payloads in frames with the channel's next seqs, built once — go to every
// WebSocket of that channel, from as many threads
// as there are cores, each owning its share of the connections: one sendmsg() per socket per
// batch, what the kernel does not take kept (pointing into the shared frames) until the socket is
// writable again, so a reader that checks every seq sees none missing. No parsing of what clients
// send after the upgrade, no store, no JSON: what is left is accept, the handshake and the writes.
//   cdcscope-minimal-server [--threads N] [--deflate 1]     prints "listening on PORT"
//   --deflate 1: agree permessage-deflate with clients that offer it and send the batch compressed
//   (each frame compressed once with zlib, as CDC Scope does): the reference for compressed runs.
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

bool deflateAgreed = false; // --deflate 1

std::string frameHeader(size_t size, bool compressed)
{
    std::string header{char(compressed ? 0xC1 : 0x81)};
    if (size < 126) {
        header += char(size);
    } else if (size <= 0xFFFF) {
        header += char(126);
        header += char(size >> 8);
        header += char(size & 0xFF);
    } else {
        header += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            header += char((uint64_t(size) >> shift) & 0xFF);
    }
    return header;
}

std::string textFrame(const std::string &payload)
{
    return frameHeader(payload.size(), false) + payload;
}

// permessage-deflate without context takeover, level 1, as CDC Scope's frames.
std::string compressedFrame(const std::string &payload)
{
    z_stream stream{};
    deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, uLong(payload.size())) + 16, '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(payload.data()));
    stream.avail_in = uInt(payload.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_SYNC_FLUSH);
    out.resize(out.size() - stream.avail_out - 4);
    deflateEnd(&stream);
    return frameHeader(out.size(), true) + out;
}

struct Batch
{
    std::string channel;
    std::vector<std::string> plain;
    std::vector<std::string> compressed; // with --deflate 1
};

class Worker;
std::vector<Worker *> allWorkers; // filled before the first connection is accepted
std::mutex seqMutex;
std::unordered_map<std::string, int64_t> lastSeq; // per channel

std::string acceptKey(const std::string &key)
{
    const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(text.data()), text.size(), digest);
    unsigned char encoded[64];
    const int length = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char *>(encoded), size_t(length));
}

std::string headerValue(const std::string &head, const char *name)
{
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const size_t at = lower.find(name);
    if (at == std::string::npos)
        return {};
    const size_t begin = head.find_first_not_of(' ', at + std::strlen(name));
    return head.substr(begin, head.find("\r\n", begin) - begin);
}

void writeAll(int fd, const std::string &data)
{
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return; // a handshake answer the kernel cannot take: the client is gone
        sent += size_t(n);
    }
}

// The batch a publish body describes (a JSON array of {"organization_id":C,"data":P}, as
// cdcscope-bench writes them): the same payloads P, for the channel of the first, with the
// channel's next seqs — the very bytes CDC Scope would send, so compressed runs compare alike.
std::shared_ptr<const Batch> batchFor(const std::string &body)
{
    const std::string key = "{\"organization_id\":\"";
    std::vector<size_t> starts;
    for (size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1))
        starts.push_back(at);
    auto batch = std::make_shared<Batch>();
    if (starts.empty())
        return batch;
    const size_t nameAt = starts[0] + key.size();
    batch->channel = body.substr(nameAt, body.find('"', nameAt) - nameAt);
    int64_t seq;
    {
        std::lock_guard lock(seqMutex);
        seq = lastSeq[batch->channel];
        lastSeq[batch->channel] += int64_t(starts.size());
    }
    const int64_t tsMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const size_t closing = body.rfind(']');
    for (size_t i = 0; i < starts.size(); ++i) {
        // The event runs to the comma before the next one, or to the array's closing bracket.
        const size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : closing;
        const size_t dataAt = body.find("\"data\":", starts[i]) + 7;
        const std::string payload = body.substr(dataAt, end - 1 - dataAt); // without the envelope's "}"
        const std::string frame = "{\"organization_id\":\"" + batch->channel + "\",\"data\":{\"seq\":" +
                                  std::to_string(seq + int64_t(i) + 1) + ",\"ts_ms\":" + std::to_string(tsMs) +
                                  ",\"payload\":" + payload + "}}";
        batch->plain.push_back(textFrame(frame));
        if (deflateAgreed)
            batch->compressed.push_back(compressedFrame(frame));
    }
    return batch;
}

class Worker
{
public:
    Worker()
    {
        m_poller = ::epoll_create1(0);
        m_wake = ::eventfd(0, EFD_NONBLOCK);
        watch(m_wake, EPOLLIN);
        m_thread = std::thread([this] { run(); });
    }
    void adopt(int fd)
    {
        std::lock_guard lock(m_mutex);
        m_adopted.push_back(fd);
        wake();
    }
    void publish(std::shared_ptr<const Batch> batch)
    {
        std::lock_guard lock(m_mutex);
        m_batches.push_back(std::move(batch));
        wake();
    }

private:
    struct Pending
    {
        std::shared_ptr<const Batch> batch;
        size_t frame = 0;  // the first frame not fully sent
        size_t offset = 0; // bytes of it already sent
    };
    struct Connection
    {
        std::string head; // the upgrade request, until it is complete
        bool webSocket = false;
        bool compressed = false;
        std::string channel;
        std::deque<Pending> queue;
        bool waitingWritable = false;
    };

    void wake()
    {
        const uint64_t one = 1;
        (void)!::write(m_wake, &one, sizeof one);
    }
    void watch(int fd, uint32_t events, int op = EPOLL_CTL_ADD)
    {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        ::epoll_ctl(m_poller, op, fd, &event);
    }
    void run()
    {
        std::vector<epoll_event> ready(1024);
        for (;;) {
            const int count = ::epoll_wait(m_poller, ready.data(), int(ready.size()), -1);
            for (int i = 0; i < count; ++i) {
                const int fd = ready[size_t(i)].data.fd;
                if (fd == m_wake)
                    takeWork();
                else if (ready[size_t(i)].events & EPOLLOUT)
                    sendQueued(fd);
                else
                    read(fd);
            }
        }
    }
    void takeWork()
    {
        uint64_t value = 0;
        (void)!::read(m_wake, &value, sizeof value);
        std::vector<int> adopted;
        std::vector<std::shared_ptr<const Batch>> batches;
        {
            std::lock_guard lock(m_mutex);
            adopted.swap(m_adopted);
            batches.swap(m_batches);
        }
        for (const int fd : adopted) {
            m_connections[fd];
            watch(fd, EPOLLIN);
        }
        for (const auto &batch : batches) {
            for (auto &[fd, connection] : m_connections) {
                if (!connection.webSocket || connection.channel != batch->channel)
                    continue;
                connection.queue.push_back({batch});
                if (!connection.waitingWritable)
                    sendQueued(fd);
            }
        }
    }
    // One sendmsg() per batch: the batch's frames gathered straight from the shared strings.
    void sendQueued(int fd)
    {
        Connection &connection = m_connections[fd];
        while (!connection.queue.empty()) {
            Pending &pending = connection.queue.front();
            const std::vector<std::string> &frames =
                connection.compressed ? pending.batch->compressed : pending.batch->plain;
            iovec vectors[1024];
            size_t count = 0;
            for (size_t i = pending.frame; i < frames.size() && count < 1024; ++i, ++count) {
                const size_t skip = i == pending.frame ? pending.offset : 0;
                vectors[count] = {const_cast<char *>(frames[i].data() + skip), frames[i].size() - skip};
            }
            msghdr message{};
            message.msg_iov = vectors;
            message.msg_iovlen = count;
            ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                connection.queue.clear();
                return;
            }
            while (sent > 0) {
                const size_t rest = frames[pending.frame].size() - pending.offset;
                if (size_t(sent) < rest) {
                    pending.offset += size_t(sent);
                    break;
                }
                sent -= ssize_t(rest);
                ++pending.frame;
                pending.offset = 0;
            }
            if (pending.frame == frames.size())
                connection.queue.pop_front();
            else if (count < 1024)
                break; // the kernel took less than offered: it is full
        }
        const bool wantWritable = !connection.queue.empty();
        if (wantWritable != connection.waitingWritable) {
            connection.waitingWritable = wantWritable;
            watch(fd, wantWritable ? EPOLLIN | EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD);
        }
    }
    void read(int fd)
    {
        char chunk[65536];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            ::close(fd);
            m_connections.erase(fd);
            return;
        }
        Connection &connection = m_connections[fd];
        if (connection.webSocket)
            return; // what a client sends after the upgrade is not read here
        connection.head.append(chunk, size_t(n));
        const size_t end = connection.head.find("\r\n\r\n");
        if (end == std::string::npos)
            return;
        const std::string head = connection.head.substr(0, end + 2); // the headers alone, not a body
        const std::string key = headerValue(head, "sec-websocket-key:");
        if (!key.empty()) {
            connection.channel = headerValue(head, "x-athena-client:");
            connection.compressed =
                deflateAgreed &&
                headerValue(head, "sec-websocket-extensions:").find("permessage-deflate") != std::string::npos;
            const std::string extension =
                connection.compressed ? "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                                        "client_no_context_takeover\r\n"
                                      : "";
            writeAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n" + extension + "\r\n" +
                             textFrame("{\"status\":\"subscribed\",\"client_id\":\"" + connection.channel + "\"}"));
            connection.webSocket = true;
            connection.head.clear();
            return;
        }
        // Anything else is a publish: answered, then its batch to every thread's subscribers.
        const size_t length = size_t(std::atoll(headerValue(head, "content-length:").c_str()));
        if (connection.head.size() < end + 4 + length)
            return;
        const std::string body = connection.head.substr(end + 4, length);
        connection.head.erase(0, end + 4 + length);
        writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        const std::shared_ptr<const Batch> batch = batchFor(body);
        for (Worker *worker : allWorkers)
            worker->publish(batch);
    }

    int m_poller = -1;
    int m_wake = -1;
    std::mutex m_mutex;
    std::vector<int> m_adopted;
    std::vector<std::shared_ptr<const Batch>> m_batches;
    std::unordered_map<int, Connection> m_connections;
    std::thread m_thread;
};

} // namespace

int main(int argc, char **argv)
{
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--threads") == 0)
            threads = std::max(1, std::atoi(argv[i + 1]));
        else if (std::strcmp(argv[i], "--deflate") == 0)
            deflateAgreed = std::atoi(argv[i + 1]) != 0;
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || ::listen(listener, 4096) != 0) {
        std::perror("listen");
        return 1;
    }
    socklen_t size = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &size);
    std::printf("listening on %d\n", ntohs(address.sin_port));
    std::fflush(stdout);

    for (int i = 0; i < threads; ++i)
        allWorkers.push_back(new Worker); // they live as long as the process
    for (size_t next = 0;; ++next) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        allWorkers[next % allWorkers.size()]->adopt(fd);
    }
}
