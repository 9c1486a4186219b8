// `cdcscope export`: a running server's retained events as a JSONL capture.
#include "ClientCommands.h"
#include "ClientTransport.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSaveFile>
#include <QUrlQuery>

#include <cstdio>

namespace cdc::client {

int runExport(const ClientOptions &options)
{
    const QString path = options.channels.isEmpty()
                             ? QStringLiteral("/export")
                             : QStringLiteral("/channels/%1/export")
                                   .arg(QString::fromLatin1(QUrl::toPercentEncoding(options.channels.constFirst())));
    QUrl url = options.server.httpEndpoint(path);
    QUrlQuery query;
    const auto addRange = [&query](const char *name, const std::optional<qint64> &value) {
        if (value)
            query.addQueryItem(QLatin1StringView(name), QString::number(*value));
    };
    addRange("since_seq", options.sinceSeq);
    addRange("since_ts_ms", options.sinceTsMs);
    addRange("until_seq", options.untilSeq);
    addRange("until_ts_ms", options.untilTsMs);
    url.setQuery(query);

    // A file is written whole or not at all; stdout gets the capture as it arrives.
    std::unique_ptr<QIODevice> sink;
    if (options.outputPath == u"-") {
        auto out = std::make_unique<QFile>();
        out->open(stdout, QIODevice::WriteOnly);
        sink = std::move(out);
    } else {
        auto file = std::make_unique<QSaveFile>(options.outputPath);
        if (!file->open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "cdcscope export: cannot write %s: %s\n", qPrintable(options.outputPath),
                         qPrintable(file->errorString()));
            return ClientExit::failure;
        }
        sink = std::move(file);
    }

    QNetworkAccessManager network;
    const HttpResult result = httpExchange(network, options, "GET", url, {}, sink.get());
    if (!result.succeeded()) {
        std::fprintf(stderr, "cdcscope export: %s\n", qPrintable(result.describeFailure()));
        return ClientExit::failure;
    }
    if (auto *file = qobject_cast<QSaveFile *>(sink.get()); file && !file->commit()) {
        std::fprintf(stderr, "cdcscope export: cannot write %s: %s\n", qPrintable(options.outputPath),
                     qPrintable(file->errorString()));
        return ClientExit::failure;
    }
    return ClientExit::ok;
}

} // namespace cdc::client
