#pragma once

#include <QtGlobal>

#include <array>
#include <memory>

namespace cdc {

// Latencies in microseconds, counted in buckets four to a power of two (1 µs up to 2^33 µs, about
// 2.4 hours; longer ones count in the last): a quantile read from it is off by at most a bucket's
// half width, under 12%. Samples in up to four buckets are counted in place; the full array (1 KiB)
// is made on the fifth and let go of by clear(). Tens of thousands of clients each have histograms,
// and a client's second of samples — what a delivery thread reports for it — mostly falls in one or
// two buckets: allocating, zeroing and merging a kilobyte per client per second cost a broadcast to
// 19 000 clients more than its writes' bookkeeping did.
class LatencyHistogram
{
public:
    static constexpr int bucketCount = 128;

    LatencyHistogram() = default;
    LatencyHistogram(const LatencyHistogram &other);
    LatencyHistogram &operator=(const LatencyHistogram &other);
    LatencyHistogram(LatencyHistogram &&) noexcept = default;
    LatencyHistogram &operator=(LatencyHistogram &&) noexcept = default;

    void record(qint64 microseconds, qint64 times = 1);
    void add(const LatencyHistogram &other);
    void clear();

    qint64 count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    // The latency `quantile` (0..1] of the samples are at or under, in ms; 0 when there are none.
    double quantileMs(double quantile) const;

    static int bucketOf(qint64 microseconds);
    // A bucket's bounds in µs, [lower, upper).
    static qint64 lowerBound(int bucket);
    static qint64 upperBound(int bucket);

private:
    static constexpr int fewBuckets = 4;
    using Counts = std::array<qint64, bucketCount>;

    void countIn(int bucket, qint64 times);
    // Every bucket's count, in order (the few ones spread out when there is no array).
    Counts allCounts() const;

    std::unique_ptr<Counts> m_counts; // null while the samples fit in the few buckets below
    qint64 m_count = 0;
    std::array<qint64, fewBuckets> m_fewCounts{};
    std::array<quint8, fewBuckets> m_fewBuckets{};
    quint8 m_few = 0; // how many of the few buckets are in use
};

// A histogram of the recent past: samples go into the current period, and the figures cover it and
// the period before — the last 30 to 60 s when the owner rotates every 30 s.
class RecentLatency
{
public:
    void record(qint64 microseconds) { m_current.record(microseconds); }
    void add(const LatencyHistogram &samples) { m_current.add(samples); }
    void rotate();
    LatencyHistogram window() const;
    bool isEmpty() const { return m_current.isEmpty() && m_previous.isEmpty(); }
    qint64 total() const { return m_total + m_current.count(); }

private:
    LatencyHistogram m_current;
    LatencyHistogram m_previous;
    qint64 m_total = 0; // rotated out of current, for the metrics' counters
};

} // namespace cdc
