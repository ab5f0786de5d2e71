using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;
using Messenger.Contracts;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Contracts;

/// <summary>
/// The README's protocol section says a call's args and a result's value are MessagePack maps of their fields: what
/// a client written from it sends and expects, field-less calls and results included (an independent client sends
/// <c>{}</c> for <c>help.getConfig</c>).
/// </summary>
public sealed class ContractWireFormatTests
{
    private static readonly Type[] Calls = typeof(ContractsAssembly).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<RpcMethodAttribute>() is not null)
        .ToArray();

    private static readonly Type[] Results = Calls
        .Select(t => t.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRpcCall<>)).GetGenericArguments()[0])
        .Distinct()
        .ToArray();

    public static TheoryData<string> FieldlessTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in Calls.Concat(Results).Where(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Length == 0))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void EveryCallAndResult_IsAMapOnTheWire()
    {
        Calls.Should().HaveCountGreaterThan(40);
        foreach (var type in Calls.Concat(Results))
        {
            var bytes = MessagePackSerializer.Serialize(type, RuntimeHelpers.GetUninitializedObject(type), WireSerializer.Options);

            MessagePackCode.ToMessagePackType(bytes[0]).Should().Be(MessagePackType.Map, $"{type.Name} is documented as a map of its fields");
        }
    }

    [Theory]
    [MemberData(nameof(FieldlessTypes))]
    public void AFieldlessCallOrResult_IsAnEmptyMap_AndReadsOne(string typeName)
    {
        var type = typeof(ContractsAssembly).Assembly.GetType(typeName)!;

        var bytes = MessagePackSerializer.Serialize(type, Activator.CreateInstance(type), WireSerializer.Options);
        var read = MessagePackSerializer.Deserialize(type, new byte[] { 0x80 }, WireSerializer.Options);

        bytes.Should().Equal(0x80);
        read.Should().BeOfType(type);
    }
}
