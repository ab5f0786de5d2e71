using Messenger.Kernel.Users;

namespace Messenger.Tests.Kernel;

/// <summary>The folding every name search shares: case and accents go, other scripts stay as written.</summary>
public sealed class NameKeyTests
{
    [Theory]
    [InlineData("José", "jose")]
    [InlineData("ZOË", "zoe")]
    [InlineData("Müller", "muller")]
    [InlineData("Ångström", "angstrom")]
    [InlineData("Straße", "strasse")]
    [InlineData("STRAẞE", "strasse")]
    [InlineData("Łukasz Øster", "lukasz oster")]
    [InlineData("ﬁnn", "finn")] // a compatibility ligature
    [InlineData("ＡＢＣ", "abc")] // full-width letters
    [InlineData("Işık", "isik")]
    public void Fold_LatinWithAccentsOrCapitals_GivesThePlainLowerCaseLetters(string name, string folded) =>
        NameKey.Fold(name).Should().Be(folded);

    [Theory]
    [InlineData("Фёдор ДОСТОЕВСКИЙ", "федор достоевскии")] // capitals folded; ё and й lose their marks as é does
    [InlineData("Νίκος ΑΛΕΞΊΟΥ", "νικοσ αλεξιου")] // tonos dropped, final sigma as the capital's
    [InlineData("王小明", "王小明")]
    [InlineData("がっこう", "がっこう")] // the voicing mark is part of the kana
    [InlineData("देवनागरी", "देवनागरी")] // vowel signs and marks stay
    public void Fold_OtherScripts_KeepTheirLetters(string name, string folded) =>
        NameKey.Fold(name).Should().Be(folded);

    [Theory]
    [InlineData("Jan-Erik O'Brien", new[] { "jan", "erik", "o", "brien" })]
    [InlineData("  anna_maria.smith  ", new[] { "anna", "maria", "smith" })]
    [InlineData("Dr. Zoë (work) 🙂 42", new[] { "dr", "zoe", "work", "42" })]
    [InlineData("Анна Каренина", new[] { "анна", "каренина" })]
    [InlineData("--- ... ''", new string[0])]
    [InlineData("\u2764\uFE0F Anna", new[] { "anna" })] // the emoji's variation selector is no word
    [InlineData("\u0301 \u20E3\uFE0F", new string[0])] // marks with no letter before them
    [InlineData("x\u200D\U000E0100y \u0915\u093F", new[] { "xy", "\u0915\u093F" })] // joiners and selectors dropped; a vowel sign stays with its letter
    public void Words_SplitOnSpacesAndPunctuation(string name, string[] words) =>
        NameKey.Words(name).Should().Equal(words);

    [Theory]
    [InlineData("a", true)]
    [InlineData("é", true)]
    [InlineData("7", true)]
    [InlineData("--", false)]
    [InlineData(" ._' ", false)]
    [InlineData("🙂", false)]
    [InlineData("\u2764\uFE0F", false)]
    [InlineData("\u0301", false)]
    [InlineData("\u20E3", false)]
    [InlineData("\u200D", false)]
    public void HasWord_OnlyLettersOrDigitsMakeAWord(string query, bool has) =>
        NameKey.HasWord(query).Should().Be(has);
}
