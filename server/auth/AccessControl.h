#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace cdc {

// What one connection or request may do. With authentication off everything is allowed.
struct Access
{
    QString tokenName; // which token granted it; empty when authentication is off
    bool everything = true;
    QStringList clients;  // X-Athena-Client names it may use: exact, "prefix*", or "*"
    QStringList channels; // channels it may subscribe to, travel and (with publish) publish to
    bool publish = false;
    // Reading the server's state beyond channels (GET /clients) and disconnecting clients: what a
    // remote window monitoring this server needs.
    bool monitor = false;

    bool mayMonitor() const { return everything || monitor; }
    bool mayUseClient(const QString &clientId) const;
    bool mayRead(const QString &channel) const;
    bool mayPublishTo(const QString &channel) const;
};

// Why a request was refused: 401 (no or unknown token) or 403 (a token without the right).
struct AccessRefusal
{
    int status = 401;
    QString code;
    QString message;
};

// The tokens of --auth-tokens (a JSON file, or the same text from the keychain):
//   {"tokens":[{"name":"ci","token":"…","clients":["ci_*"],"channels":["orders"],"publish":true,
//               "monitor":false}]}
// Only SHA-256 digests of the secrets are kept in memory, and they are compared in constant time.
class AccessControl
{
public:
    // Parses the token set; the error names the token (by position or name) and what is wrong.
    static std::variant<std::shared_ptr<const AccessControl>, QString> parse(const QByteArray &json);

    // A presented secret (Bearer header or ?token=): its access, or 401.
    std::variant<Access, AccessRefusal> authenticate(const QByteArray &presented) const;
    qsizetype size() const { return qsizetype(m_tokens.size()); }

private:
    struct Token
    {
        QString name;
        QByteArray digest;
        Access access;
    };
    std::vector<Token> m_tokens;
};

// The secret a request presents: "Authorization: Bearer T", or else the query's token=T.
QByteArray presentedToken(const QByteArray &authorizationHeader, const QByteArray &query);

} // namespace cdc
