using Messenger.Bench;
using Messenger.Bench.Scenarios;

// Scenarios (dotnet run -c Release --project Messenger.Bench -- <scenario> [--duration S] [--json PATH] [--key value ...]):
//   writer     durable appends/s through the group-commit writer (--producers, --synchronous, --batch, --table)
//   login      sign-ins/s at the configured Argon2id cost, in process (--concurrency, --iterations, --memory-kib)
//   handshake  new connections + Noise IK handshakes/s (--connections parallel); --client lean (default: a raw WebSocket
//              doing the SDK's protocol, LeanConnection) or sdk (MessengerClient.ConnectAsync)
//   rpc        help.ping calls/s against a bare SignalR echo at the same --connections/--window (ratio)
//   idle       server RSS per idle connection (--connections, --settle)
//   chat       private messages between --connections devices in pairs (default 1000), --window in flight each (default 4)
//              or --rate R msgs/s in total; after --warmup S (30): delivered/s, send→deliver p50/p99/p999 (HdrHistogram),
//              errors, lost, duplicated, server CPU % and RSS, and the bare echo at the same N and W (ratio; --echo 0 skips).
//              Automatic receipts off unless --receipts 1.
//   catchup    an offline device's backlog of --updates (100,000) served by updates.getDifference slices of --limit (1000):
//              updates/s and time to caught up; filled by --senders (4) × --window (64) concurrent sends
//   crash      chat traffic (--connections 100, --window 2, --duration 30) while the child host is SIGKILLed --kills (3)
//              times and restarted on the same data directory; every acknowledged message must be in the recipient's
//              history exactly once and reach it as an event (lost, duplicated)
//   upload     a generated --size (2 GiB) file through the SDK: MB/s, server peak RSS growth, bytes added by a re-upload
//   download   the same file back by ranges: MB/s
//   group-fanout  a large group of --members (10,000) with --online (2,000) member devices connected; one sender posts at
//              --rate R msgs/s (20; 0 = saturation with --window 16 in flight): send → last online member's receipt
//              p50/p99, pushes/s, rows added per message (child's SQLite file), server and bench CPU %
//   soak       chat at --rate (500 msgs/s) between --connections (200) devices with receipts, plus --churn (8) lanes that
//              reconnect a device, make an app's start-up calls and go (a new device signed in and out every
//              --new-device-every rounds), for --duration (600 s); every --sample (30 s): server RSS, managed heap,
//              threads, open files, data file sizes; after --warmup (120 s): first/last/max and slope (MB an hour), lost
//   search     --messages (1,000,000) stored across --chats (1,000) private chats and small groups of --users (200),
//              Zipf-distributed words from a --vocabulary (5,000); then --queries (1,000) one-word messages.search calls
//              by a user in --searcher-chats (100) of them, half with a peer: p50/p99; and the fill rate
//   bigdb      a year of data: --phase seed fills --data-dir through the host (--scale 1.0: ≈ 1,000,000 messages, 1,800
//              users, a heavy user in 1,500 private chats and 200 groups), --phase measure times a client's reads on it
//              (--reps 15 each, one at a time): sign-in, sync, dialogs, history, search, members, pins, media; start-up, RSS
// The message scenarios start the child host with cheap Argon2id (3 iterations, 1 MiB), no per-address limits on
// registrations and failed sign-ins, and the per-user post limit out of reach (ChatKit.SignUpSettings); catchup also
// raises Messenger:Queue:TooLongAfterUpdates.

// The same shared array pool as the host's: the bench's thousand SDK connections and its echo server rent from it as the
// server's connections do, and the echo baseline should run with what the host runs with.
Messenger.Host.SharedArrayPoolSize.Apply();

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("scenarios: writer, login, handshake, rpc, idle, chat, catchup, crash, upload, download, group-fanout, search, soak, bigdb");
    return 2;
}

Func<BenchOptions, Task<BenchReport>>? scenario = options.Scenario switch
{
    "writer" => WriterScenario.RunAsync,
    "login" => LoginScenario.RunAsync,
    "handshake" => ProtocolScenarios.HandshakeAsync,
    "rpc" => ProtocolScenarios.RpcAsync,
    "idle" => ProtocolScenarios.IdleAsync,
    "chat" => ChatScenario.RunAsync,
    "catchup" => CatchUpScenario.RunAsync,
    "crash" => CrashScenario.RunAsync,
    "upload" => MediaScenarios.UploadAsync,
    "download" => MediaScenarios.DownloadAsync,
    "group-fanout" => GroupFanoutScenario.RunAsync,
    "search" => SearchScenario.RunAsync,
    "soak" => SoakScenario.RunAsync,
    "bigdb" => BigDbScenario.RunAsync,
    _ => null,
};
if (scenario is null)
{
    Console.Error.WriteLine($"unknown scenario '{options.Scenario}'; scenarios: writer, login, handshake, rpc, idle, chat, catchup, crash, upload, download, group-fanout, search, soak, bigdb");
    return 2;
}

var report = await scenario(options);
report.Print(Console.Out);
if (options.JsonPath is { } path)
{
    await report.WriteJsonAsync(path);
    Console.WriteLine($"  json: {Path.GetFullPath(path)}");
}

return 0;
