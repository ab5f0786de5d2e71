using Messenger.Bench;
using Messenger.Bench.Scenarios;

// Scenarios (dotnet run -c Release --project Messenger.Bench -- <scenario> [--duration S] [--json PATH] [--key value ...]):
//   writer     durable appends/s through the group-commit writer (--producers, --synchronous, --batch, --table)
//   login      sign-ins/s at the configured Argon2id cost, in process (--concurrency, --iterations, --memory-kib)
//   handshake  new connections + Noise IK handshakes/s (--connections parallel)
//   rpc        help.ping calls/s against a bare SignalR echo at the same --connections/--window (ratio)
//   idle       server RSS per idle connection (--connections, --settle)
//   chat       private messages between --connections devices in pairs (default 1000), --window in flight each (default 4)
//              or --rate R msgs/s in total; after --warmup S (5): delivered/s, send→deliver p50/p99/p999 (HdrHistogram),
//              errors, lost, duplicated, server CPU % and RSS, and the bare echo at the same N and W (ratio; --echo 0 skips).
//              Automatic receipts off unless --receipts 1.
//   catchup    an offline device's backlog of --updates (100,000) served by updates.getDifference slices of --limit (1000):
//              updates/s and time to caught up; filled by --senders (4) × --window (64) concurrent sends
//   crash      chat traffic (--connections 100, --window 2, --duration 30) while the child host is SIGKILLed --kills (3)
//              times and restarted on the same data directory; every acknowledged message must be in the recipient's
//              history exactly once and reach it as an event (lost, duplicated)
//   upload     a generated --size (2 GiB) file through the SDK: MB/s, server peak RSS growth, bytes added by a re-upload
//   download   the same file back by ranges: MB/s
// The message scenarios start the child host with cheap Argon2id (3 iterations, 1 MiB) and no per-address limits on
// registrations and failed sign-ins (ChatKit.SignUpSettings); catchup also raises Messenger:Queue:TooLongAfterUpdates.

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("scenarios: writer, login, handshake, rpc, idle, chat, catchup, crash, upload, download");
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
    _ => null,
};
if (scenario is null)
{
    Console.Error.WriteLine($"unknown scenario '{options.Scenario}'; scenarios: writer, login, handshake, rpc, idle, chat, catchup, crash, upload, download");
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
