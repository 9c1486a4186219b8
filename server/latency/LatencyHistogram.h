#pragma once

#include <QtGlobal>

#include <array>
#include <memory>

namespace cdc {

// Latencies in microseconds, counted in buckets four to a power of two (1 µs up to 2^33 µs, about
// 2.4 hours; longer ones count in the last): a quantile read from it is off by at most a bucket's
// half width, under 12%. The buckets (1 KiB) are made on the first sample and let go of by clear():
// tens of thousands of idle clients each have histograms, and an empty one costs two words.
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
    using Counts = std::array<qint64, bucketCount>;
    Counts &counts();

    std::unique_ptr<Counts> m_counts; // null while there is no sample
    qint64 m_count = 0;
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
