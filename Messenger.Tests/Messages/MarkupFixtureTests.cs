using System.Text.Json;
using Messenger.Kernel.Messages;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>The cases the web client's vitest reads too (<c>Clients/web/test/markup-fixtures.json</c>): the server's
/// parser and the client's must read every message the same, or a bot, a push or a mention would see other text than
/// the bubble shows.</summary>
public sealed class MarkupFixtureTests
{
    public static TheoryData<string, string, string[], string> Fixtures()
    {
        var path = Path.Combine(RepositoryPaths.Root, "Clients", "web", "test", "markup-fixtures.json");
        var data = new TheoryData<string, string, string[], string>();
        foreach (var fixture in JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray())
        {
            data.Add(fixture.GetProperty("input").GetString()!, fixture.GetProperty("text").GetString()!,
                [.. fixture.GetProperty("entities").EnumerateArray().Select(e => e.GetString()!)], fixture.GetProperty("preview").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Fixtures_AreEnoughToMeanSomething() => Fixtures().Count.Should().BeGreaterThanOrEqualTo(40);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Parse_And_Preview_ReadTheSharedFixtures_AsTheWebClientDoes(string input, string text, string[] entities, string preview)
    {
        var parsed = MessageMarkup.Parse(input);

        parsed.Text.Should().Be(text);
        parsed.Entities.Select(e => e.Type is "url" or "text_link" ? $"link {e.Offset} {e.Length} {e.Url}" : $"{e.Type} {e.Offset} {e.Length}")
            .Should().Equal(entities);
        MessageMarkup.Preview(input).Should().Be(preview);
    }
}
