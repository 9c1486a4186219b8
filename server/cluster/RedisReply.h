#pragma once

#include <QByteArray>
#include <QList>

namespace cdc {

// One RESP reply, owned (hiredis' reply objects are converted and freed at once).
struct RedisReply
{
    enum class Type { String, Array, Integer, Nil, Status, Error };
    Type type = Type::Nil;
    QByteArray text; // String, Status, Error
    qint64 integer = 0;
    QList<RedisReply> elements;

    bool isError() const { return type == Type::Error; }
    bool isArray() const { return type == Type::Array; }
    // Integers and integer strings alike (Lua returns numbers as integers, HGET as strings).
    qint64 toInteger() const { return type == Type::Integer ? integer : text.toLongLong(); }

    static RedisReply error(QByteArray message) { return {Type::Error, std::move(message), 0, {}}; }
};

} // namespace cdc
