using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Storage;

namespace Messenger.Message.Reports;

/// <summary>
/// Keeps the server's admins current about reports: after each unit that files or resolves one, every admin's own log
/// gets the count of open reports and the newest (<see cref="OpenReportsUpdate"/>), in that unit, so their apps show it
/// at once and a device offline catches up with getDifference. The Session module asks for the same summary when it
/// makes someone an admin.
/// </summary>
internal sealed class OpenReports(IServerAdminList admins, IUpdateLog log) : IOpenReports
{
    public OpenReportsUpdate Summary(WriteScope scope) => ReportStore.OpenSummary(scope);

    public void Announce(WriteScope scope, long now, List<LogAppend> appends)
    {
        var summary = ReportStore.OpenSummary(scope);
        foreach (var admin in admins.AdminIds(scope))
        {
            appends.Add(new LogAppend(admin, log.Append(scope, admin, summary, now)));
        }
    }
}
