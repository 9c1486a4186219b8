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
{
}

LatencyHistogram &LatencyHistogram::operator=(const LatencyHistogram &other)
{
    if (this != &other)
        *this = LatencyHistogram(other);
    return *this;
}

LatencyHistogram::Counts &LatencyHistogram::counts()
{
    if (!m_counts)
        m_counts = std::make_unique<Counts>(); // value-initialised: zeros
    return *m_counts;
}

void LatencyHistogram::record(qint64 microseconds, qint64 times)
{
    counts()[std::size_t(bucketOf(microseconds))] += times;
    m_count += times;
}

void LatencyHistogram::add(const LatencyHistogram &other)
{
    if (!other.m_counts)
        return;
    Counts &mine = counts();
    for (std::size_t i = 0; i < mine.size(); ++i)
        mine[i] += (*other.m_counts)[i];
    m_count += other.m_count;
}

void LatencyHistogram::clear()
{
    m_counts.reset();
    m_count = 0;
}

double LatencyHistogram::quantileMs(double quantile) const
{
    if (m_count == 0 || !m_counts)
        return 0;
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(quantile * double(m_count))));
    qint64 seen = 0;
    for (int bucket = 0; bucket < bucketCount; ++bucket) {
        seen += (*m_counts)[std::size_t(bucket)];
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
