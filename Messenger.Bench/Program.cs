using Messenger.Bench;
using Messenger.Bench.Scenarios;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("scenarios: writer, login, handshake, rpc, idle, upload, download");
    return 2;
}

Func<BenchOptions, Task<BenchReport>>? scenario = options.Scenario switch
{
    "writer" => WriterScenario.RunAsync,
    "login" => LoginScenario.RunAsync,
    "handshake" => ProtocolScenarios.HandshakeAsync,
    "rpc" => ProtocolScenarios.RpcAsync,
    "idle" => ProtocolScenarios.IdleAsync,
    "upload" => MediaScenarios.UploadAsync,
    "download" => MediaScenarios.DownloadAsync,
    _ => null,
};
if (scenario is null)
{
    Console.Error.WriteLine($"unknown scenario '{options.Scenario}'; scenarios: writer, login, handshake, rpc, idle, upload, download");
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
