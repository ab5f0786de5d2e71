namespace Messenger.Contracts;

/// <summary>Marker for the wire contracts assembly (used to find it by type).</summary>
public static class ContractsAssembly;
