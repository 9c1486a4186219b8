#include "WelcomePage.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cdc {

namespace {

constexpr auto firstChannel = "first";

} // namespace

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
    , m_address(new QLabel(this))
    , m_commands(new QVBoxLayout)
{
    setObjectName(QStringLiteral("welcomePage"));
    auto *title = new QLabel(tr("<h2>No events yet</h2>"), this);
    m_address->setObjectName(QStringLiteral("welcomeAddress"));
    m_address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_address->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(m_address);
    layout->addLayout(m_commands);
    layout->addStretch(1);
    rebuild();
}

void WelcomePage::setServer(const QUrl &webSocketUrl)
{
    if (webSocketUrl == m_server)
        return;
    m_server = webSocketUrl;
    rebuild();
}

QString WelcomePage::command(Command command) const
{
    const QString ws = m_server.isValid() ? m_server.toString() : QStringLiteral("ws://127.0.0.1:4053/ws");
    QUrl http = m_server.isValid() ? m_server : QUrl(ws);
    http.setScheme(http.scheme() == u"wss" ? QStringLiteral("https") : QStringLiteral("http"));
    http.setPath(QStringLiteral("/events"));
    const QString channel = QString::fromLatin1(firstChannel);
    switch (command) {
    case Command::SendWithCurl:
        return QStringLiteral("curl -s -X POST %1 -H 'Content-Type: application/json' \\\n"
                              "     -d '{\"organization_id\":\"%2\",\"data\":{\"op\":\"insert\",\"table\":\"orders\","
                              "\"new\":{\"id\":1,\"amount\":9.5}}}'")
            .arg(http.toString(), channel);
    case Command::WatchWithNode:
        return QStringLiteral("node -e 'const WebSocket=require(\"ws\");\n"
                              "  const ws=new WebSocket(\"%1\",{headers:{\"X-Athena-Client\":\"%2\"}});\n"
                              "  ws.on(\"message\",d=>console.log(d.toString()))'")
            .arg(ws, channel);
    case Command::WatchWithPython:
        return QStringLiteral("python3 -c 'import asyncio, websockets\n"
                              "async def watch():\n"
                              "    async with websockets.connect(\"%1\", extra_headers={\"X-Athena-Client\": \"%2\"}) as ws:\n"
                              "        async for message in ws: print(message, flush=True)\n"
                              "asyncio.run(watch())'")
            .arg(ws, channel);
    case Command::WatchWithCdcscope:
        return QStringLiteral("cdcscope tail %1 --client watcher --channel %2").arg(ws, channel);
    }
    return {};
}

void WelcomePage::rebuild()
{
    m_address->setText(
        tr("This window shows every event the server at <b>%1</b> receives. Send one, and watch it arrive here and in "
           "any client; the commands below are written for this server (channel <code>%2</code>).%3")
            .arg((m_server.isValid() ? m_server.toString() : tr("(starting)")).toHtmlEscaped(),
                 QString::fromLatin1(firstChannel),
                 m_server.host() == u"127.0.0.1" || m_server.host() == u"localhost" || !m_server.isValid()
                     ? QString()
                     : tr(" A server that asks for a token wants it too: <code>-H 'Authorization: Bearer …'</code>, "
                          "or <code>?token=…</code> on the WebSocket URL.")));
    while (QLayoutItem *item = m_commands->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const QList<std::pair<QString, Command>> rows{
        {tr("Send an event (curl)"), Command::SendWithCurl},
        {tr("Watch it (Node, npm install ws)"), Command::WatchWithNode},
        {tr("Watch it (Python, pip install websockets)"), Command::WatchWithPython},
        {tr("Watch it (cdcscope tail)"), Command::WatchWithCdcscope},
    };
    for (const auto &[label, which] : rows) {
        auto *row = new QWidget(this);
        auto *text = new QPlainTextEdit(command(which), row);
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        text->setLineWrapMode(QPlainTextEdit::NoWrap);
        text->setFixedHeight(text->fontMetrics().height() * (int(command(which).count(u'\n')) + 1) + 14);
        auto *copy = new QPushButton(tr("Copy"), row);
        copy->setObjectName(QStringLiteral("copyCommand%1").arg(int(which)));
        connect(copy, &QPushButton::clicked, this, [this, which] { QApplication::clipboard()->setText(command(which)); });
        auto *rowLayout = new QVBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        auto *head = new QHBoxLayout;
        head->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(label.toHtmlEscaped()), row), 1);
        head->addWidget(copy);
        rowLayout->addLayout(head);
        rowLayout->addWidget(text);
        m_commands->addWidget(row);
    }
}

} // namespace cdc
