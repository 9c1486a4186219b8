# Precompiled headers. Most of a translation unit's compile time here is the front end parsing Qt's
# headers (net/SessionHub.cpp: 3.8 s of its 9.8 s at -O2 -g), paid again by every file of every
# build; CI builds everything twice (plain and sanitized). Each library precompiles the headers its
# files include most, once; the test executables reuse their support library's.
# Measured (a clean build on two cores): 400 s before, 322 s after. A file that forgets an include
# these headers provide still compiles here; -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON shows it.
set(CDCSCOPE_PCH_CORE
    <optional> <memory> <algorithm> <variant> <vector> <functional> <deque>
    <QByteArray> <QString> <QStringList> <QList> <QHash> <QObject> <QTimer> <QDateTime>
    <QElapsedTimer> <QUrl> <QJsonDocument> <QJsonObject> <QJsonArray>)
set(CDCSCOPE_PCH_NETWORK <QTcpSocket> <QSslSocket> <QHostAddress>)
set(CDCSCOPE_PCH_WIDGETS
    <QWidget> <QLabel> <QVBoxLayout> <QHBoxLayout> <QPushButton> <QHeaderView> <QSettings>
    <QLineEdit> <QTableView> <QComboBox> <QCheckBox>)
set(CDCSCOPE_PCH_TESTS <QTest> <QSignalSpy> <QTemporaryDir> <QProcess>)
