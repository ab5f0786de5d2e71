using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Messenger.Tests.Messages;

/// <summary>Calls of the Bot HTTP API as a bot's program makes them: GET without a body, POST with a JSON one.</summary>
internal static class BotHttp
{
    public static async Task<JsonElement> CallAsync(this HttpClient http, string token, string method, object? body = null)
    {
        var json = await SendAsync(http, token, method, body, HttpStatusCode.OK);
        json.GetProperty("ok").GetBoolean().Should().BeTrue();
        return json;
    }

    /// <summary>Fails unless the call is refused with <paramref name="status"/> and the error <paramref name="name"/>.</summary>
    public static async Task FailsAsync(this HttpClient http, string token, string method, object? body, HttpStatusCode status, string name)
    {
        var json = await SendAsync(http, token, method, body, status);
        json.GetProperty("ok").GetBoolean().Should().BeFalse();
        json.GetProperty("description").GetString().Should().Be(name);
        json.GetProperty("error_code").GetInt32().Should().Be((int)status);
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, string token, string method, object? body, HttpStatusCode status)
    {
        var response = body is null
            ? await http.GetAsync($"/bot/{token}/{method}")
            : await http.PostAsJsonAsync($"/bot/{token}/{method}", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.Should().Be(status, json.ToString());
        return json;
    }
}
