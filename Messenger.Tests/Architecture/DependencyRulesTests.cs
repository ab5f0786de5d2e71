using Assembly = System.Reflection.Assembly;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Messenger.Tests.Architecture;

/// <summary>DESIGN §1: Host → modules → Kernel + Contracts; modules never reference each other.</summary>
public sealed class DependencyRulesTests
{
    private static readonly Assembly Kernel = typeof(Messenger.Kernel.KernelModule).Assembly;
    private static readonly Assembly Contracts = typeof(Messenger.Contracts.ContractsAssembly).Assembly;
    private static readonly Assembly Host = typeof(Messenger.Host.MessengerApp).Assembly;

    /// <summary>Every module the host loads: the Messenger.* assemblies next to the tests that are not infrastructure
    /// (nor the bench tool, whose lean handshake client the tests run).</summary>
    public static IReadOnlyList<Assembly> Modules { get; } = Directory
        .GetFiles(AppContext.BaseDirectory, "Messenger.*.dll")
        .Select(path => Path.GetFileNameWithoutExtension(path))
        .Where(name => name is not ("Messenger.Kernel" or "Messenger.Contracts" or "Messenger.Host" or "Messenger.Tests" or "Messenger.Client" or "Messenger.Bench"))
        .Select(Assembly.Load)
        .ToList();

    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader()
        .LoadAssemblies([Kernel, Contracts, Host, .. Modules])
        .Build();

    private static IObjectProvider<IType> TypesOf(Assembly assembly) => Types().That().ResideInAssembly(assembly);

    [Fact]
    public void Contracts_DependOnNothingOfOurs()
    {
        var ours = new[] { Kernel, Host }.Concat(Modules).ToArray();
        foreach (var assembly in ours)
        {
            Types().That().ResideInAssembly(Contracts).Should().NotDependOnAny(TypesOf(assembly))
                .Check(Architecture);
        }
    }

    [Fact]
    public void Kernel_DependsOnNoModuleAndNotOnTheHost()
    {
        foreach (var assembly in Modules.Append(Host))
        {
            Types().That().ResideInAssembly(Kernel).Should().NotDependOnAny(TypesOf(assembly)).Check(Architecture);
        }
    }

    [Fact]
    public void Modules_DoNotDependOnEachOther()
    {
        foreach (var module in Modules)
        {
            foreach (var other in Modules.Where(other => other != module))
            {
                Types().That().ResideInAssembly(module).Should().NotDependOnAny(TypesOf(other)).Check(Architecture);
            }
        }
    }

    [Fact]
    public void Modules_AreTheProjectsUnderModules_SoTheRulesAboveCheckEachOne()
    {
        // Found by file name beside the tests: a layout change that left them out would make the rules above pass on none.
        var projects = Directory.GetDirectories(Path.Combine(Infrastructure.RepositoryPaths.Root, "Modules"))
            .Select(Path.GetFileName)
            .Where(name => name is not ("Messenger.Kernel" or "Messenger.Contracts"));

        Modules.Select(module => module.GetName().Name).Should().BeEquivalentTo(projects);
    }

    [Fact]
    public void DependencyRule_WhenADependencyExists_ReportsAViolation()
    {
        // Proves the rules above can fail: the host does depend on the kernel, so forbidding it must be violated.
        var rule = Types().That().ResideInAssembly(Host).Should().NotDependOnAny(TypesOf(Kernel));

        rule.HasNoViolations(Architecture).Should().BeFalse();
    }
}
