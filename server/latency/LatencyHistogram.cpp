#include "LatencyHistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cdc {

namespace {
constexpr qint64 largest = (qint64(1) << 33) - 1;
}

int LatencyHistogram::bucketOf(qint64 microseconds)
{
    const quint64 value = quint64(std::clamp<qint64>(microseconds, 0, largest));
    if (value < 4)
        return int(value);
    // For 2^e <= value < 2^(e+1): four buckets, by the two bits after the leading one.
    const int exponent = 63 - std::countl_zero(value);
    const int sub = int((value >> (exponent - 2)) & 3);
    return std::min(4 * (exponent - 1) + sub, bucketCount - 1);
}

qint64 LatencyHistogram::lowerBound(int bucket)
{
    if (bucket < 4)
        return bucket;
    const int exponent = bucket / 4 + 1;
    return qint64(4 + bucket % 4) << (exponent - 2);
}

qint64 LatencyHistogram::upperBound(int bucket)
{
    if (bucket < 4)
        return bucket + 1;
    const int exponent = bucket / 4 + 1;
    return qint64(5 + bucket % 4) << (exponent - 2);
}

LatencyHistogram::LatencyHistogram(const LatencyHistogram &other)
    : m_counts(other.m_counts ? std::make_unique<Counts>(*other.m_counts) : nullptr)
    , m_count(other.m_count)
    , m_fewCounts(other.m_fewCounts)
    , m_fewBuckets(other.m_fewBuckets)
    , m_few(other.m_few)
{
}

LatencyHistogram &LatencyHistogram::operator=(const LatencyHistogram &other)
{
    if (this != &other)
        *this = LatencyHistogram(other);
    return *this;
}

void LatencyHistogram::countIn(int bucket, qint64 times)
{
    m_count += times;
    if (m_counts) {
        (*m_counts)[std::size_t(bucket)] += times;
        return;
    }
    for (int i = 0; i < m_few; ++i) {
        if (m_fewBuckets[std::size_t(i)] == bucket) {
            m_fewCounts[std::size_t(i)] += times;
            return;
        }
    }
    if (m_few < fewBuckets) {
        m_fewBuckets[m_few] = quint8(bucket);
        m_fewCounts[m_few] = times;
        ++m_few;
        return;
    }
    m_counts = std::make_unique<Counts>(allCounts());
    (*m_counts)[std::size_t(bucket)] += times;
    m_few = 0;
}

LatencyHistogram::Counts LatencyHistogram::allCounts() const
{
    if (m_counts)
        return *m_counts;
    Counts counts{};
    for (int i = 0; i < m_few; ++i)
        counts[m_fewBuckets[std::size_t(i)]] += m_fewCounts[std::size_t(i)];
    return counts;
}

void LatencyHistogram::record(qint64 microseconds, qint64 times)
{
    countIn(bucketOf(microseconds), times);
}

void LatencyHistogram::add(const LatencyHistogram &other)
{
    if (!other.m_counts) {
        for (int i = 0; i < other.m_few; ++i)
            countIn(other.m_fewBuckets[std::size_t(i)], other.m_fewCounts[std::size_t(i)]);
        return;
    }
    for (int bucket = 0; bucket < bucketCount; ++bucket)
        if (const qint64 times = (*other.m_counts)[std::size_t(bucket)])
            countIn(bucket, times);
}

void LatencyHistogram::clear()
{
    m_counts.reset();
    m_count = 0;
    m_few = 0;
}

double LatencyHistogram::quantileMs(double quantile) const
{
    if (m_count == 0)
        return 0;
    const Counts counts = allCounts();
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(quantile * double(m_count))));
    qint64 seen = 0;
    for (int bucket = 0; bucket < bucketCount; ++bucket) {
        seen += counts[std::size_t(bucket)];
        if (seen >= rank) // the bucket's middle: within half its width of every sample in it
            return double(lowerBound(bucket) + upperBound(bucket)) / 2.0 / 1000.0;
    }
    return double(largest) / 1000.0;
}

void RecentLatency::rotate()
{
    m_total += m_current.count();
    m_previous = m_current;
    m_current.clear();
}

LatencyHistogram RecentLatency::window() const
{
    LatencyHistogram both = m_previous;
    both.add(m_current);
    return both;
}

} // namespace cdc
