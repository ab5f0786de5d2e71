using FluentValidation.Results;

namespace Messenger.Kernel.Rpc;

internal static class RpcErrorNames
{
    /// <summary>The error name a validation failure answers with: the rule's own code when it set one
    /// (<c>WithErrorCode("MESSAGE_TOO_LONG")</c>), otherwise <c>PROPERTY_INVALID</c>.</summary>
    public static string ErrorName(ValidationFailure failure) =>
        IsErrorName(failure.ErrorCode) ? failure.ErrorCode : $"{ToUpperSnake(failure.PropertyName)}_INVALID";

    private static bool IsErrorName(string? code) =>
        !string.IsNullOrEmpty(code) && code.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    private static string ToUpperSnake(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && name[i - 1] != '.')
            {
                builder.Append('_');
            }

            builder.Append(c == '.' ? '_' : char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
