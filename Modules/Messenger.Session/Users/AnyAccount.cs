using Mediator;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;

namespace Messenger.Session.Users;

/// <summary>One row is enough: a deleted account keeps its row (its id stays taken), so this never turns false again.</summary>
internal sealed class AnyAccountHandler(SqliteDatabase database) : IRequestHandler<AnyAccountQuery, bool>
{
    public ValueTask<bool> Handle(AnyAccountQuery query, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM session_users)";
        return ValueTask.FromResult((long)command.ExecuteScalar()! == 1);
    }
}
