#pragma once

#include <QtGlobal>

#include <atomic>
#include <memory>

namespace cdc {

// Bytes the whole server may hold for one purpose (request bodies being read or waiting for their
// answer), shared by the connection threads. A connection takes its share before it holds the
// bytes, and is refused when the server has none left, so one client cannot take memory the
// others need. Lock-free: a compare-and-swap per take.
class ByteBudget
{
public:
    explicit ByteBudget(qint64 limit)
        : m_limit(limit)
    {}
    ByteBudget(const ByteBudget &) = delete;
    ByteBudget &operator=(const ByteBudget &) = delete;

    // Takes `bytes` if the total stays within the limit.
    bool tryTake(qint64 bytes);
    void give(qint64 bytes) { m_used.fetch_sub(bytes, std::memory_order_relaxed); }
    qint64 used() const { return m_used.load(std::memory_order_relaxed); }
    qint64 limit() const { return m_limit; }

private:
    const qint64 m_limit;
    std::atomic<qint64> m_used{0};
};

// One holder's share of a ByteBudget, given back when it is released or destroyed.
class ByteShare
{
public:
    ByteShare() = default;
    explicit ByteShare(std::shared_ptr<ByteBudget> budget)
        : m_budget(std::move(budget))
    {}
    ~ByteShare() { release(); }
    ByteShare(const ByteShare &) = delete;
    ByteShare &operator=(const ByteShare &) = delete;

    // Grows the share to `bytes` in all; false (and unchanged) when the budget has not enough left.
    bool growTo(qint64 bytes);
    void release();
    qint64 bytes() const { return m_bytes; }

private:
    std::shared_ptr<ByteBudget> m_budget;
    qint64 m_bytes = 0;
};

} // namespace cdc
