// cdcscope-minimal-server: the least a server must do for `cdcscope-bench crowd` (issue 32), the
// reference CDC Scope's connection figures are compared with. It answers each WebSocket upgrade
// with 101 and a greeting, and any other request (the crowd's POST /events) with 200, then writes
// one pre-built event frame to every WebSocket — from as many threads as there are cores, each
// owning its share of the connections. No parsing of what clients send after the upgrade, no
// channels, no store: what is left is accept, the handshake and the writes.
//   cdcscope-minimal-server [--threads N]      prints "listening on PORT" (an OS-chosen port)
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

// A text frame (FIN) of a payload under 126 bytes, as a server sends it (unmasked).
std::string textFrame(const std::string &payload)
{
    return std::string{char(0x81), char(payload.size())} + payload;
}

const std::string eventFrame = textFrame(R"({"organization_id":"crowd","data":{"seq":1,"ts_ms":0,"payload":{"n":1}}})");
const std::string greeting = textFrame(R"({"type":"subscribed","channel":"crowd"})");

class Worker;
std::vector<Worker *> allWorkers; // filled before the first connection is accepted

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
            return; // a client gone, or a full buffer: the reference does not queue
        sent += size_t(n);
    }
}

class Worker
{
public:
    Worker()
    {
        m_poller = ::epoll_create1(0);
        m_wake = ::eventfd(0, EFD_NONBLOCK);
        watch(m_wake);
        m_thread = std::thread([this] { run(); });
    }
    void adopt(int fd) { watch(fd); }
    void broadcast() { const uint64_t one = 1; (void)!::write(m_wake, &one, sizeof one); }

private:
    void watch(int fd)
    {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = fd;
        ::epoll_ctl(m_poller, EPOLL_CTL_ADD, fd, &event);
    }
    void run()
    {
        std::vector<epoll_event> ready(1024);
        for (;;) {
            const int count = ::epoll_wait(m_poller, ready.data(), int(ready.size()), -1);
            for (int i = 0; i < count; ++i)
                handle(ready[size_t(i)].data.fd);
        }
    }
    void handle(int fd)
    {
        if (fd == m_wake) {
            uint64_t value = 0;
            (void)!::read(m_wake, &value, sizeof value);
            for (const int socket : m_webSockets)
                writeAll(socket, eventFrame);
            return;
        }
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            ::close(fd);
            m_heads.erase(fd);
            std::erase(m_webSockets, fd);
            return;
        }
        if (std::find(m_webSockets.begin(), m_webSockets.end(), fd) != m_webSockets.end())
            return; // what a client sends after the upgrade is not read here
        std::string &head = m_heads[fd];
        head.append(chunk, size_t(n));
        const size_t end = head.find("\r\n\r\n");
        if (end == std::string::npos)
            return;
        const std::string key = headerValue(head, "sec-websocket-key:");
        if (!key.empty()) {
            writeAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n" + greeting);
            m_webSockets.push_back(fd);
            m_heads.erase(fd);
            return;
        }
        // Anything else is the publish: answered, then the event to everyone, from every thread.
        const size_t length = size_t(std::atoll(headerValue(head, "content-length:").c_str()));
        if (head.size() < end + 4 + length)
            return;
        writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        m_heads.erase(fd);
        for (Worker *worker : allWorkers)
            worker->broadcast();
    }

    int m_poller = -1;
    int m_wake = -1;
    std::unordered_map<int, std::string> m_heads; // connections not upgraded yet
    std::vector<int> m_webSockets;
    std::thread m_thread;
};

} // namespace

int main(int argc, char **argv)
{
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::strcmp(argv[i], "--threads") == 0)
            threads = std::max(1, std::atoi(argv[i + 1]));
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
