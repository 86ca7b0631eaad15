/*
 * kemu: DMAR (DMA Remapping) table for an Intel machine with two VT-d units.
 *
 * iasl data-table source (Table Definition Language). Rebuild the .aml with
 * `npm run aml` from the repository root; see README.md in this folder.
 *
 *   DRHD0  reg base 0xfed90000, segment 0, scoped: PCI endpoint 00:02.0 (IGD)
 *   DRHD1  reg base 0xfed91000, segment 0, INCLUDE_PCI_ALL, plus the IOAPIC
 *          (enumeration id 8, bus 0xf0, 1f.0) and the HPET (id 0, 00:1f.0)
 *   RMRR   0x7b800000..0x7fffffff for the USB controller 00:14.0
 *   Host address width 39 bits (stored as 38 = 0x26).
 *
 * Table Length, Checksum, Asl Compiler ID and Asl Compiler Revision are
 * filled in by iasl.
 */
[0004]                          Signature : "DMAR"    [DMA Remapping table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "KEMU  "
[0008]                       Oem Table ID : "KEMU2DRH"
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 00000000

[0001]                 Host Address Width : 26
[0001]                              Flags : 01
[0010]                           Reserved : 00 00 00 00 00 00 00 00 00 00

/* DRHD0: the graphics unit, scoped to 00:02.0 only */
[0002]                      Subtable Type : 0000 [Hardware Unit Definition]
[0002]                             Length : 0018

[0001]                              Flags : 00
[0001]                           Reserved : 00
[0002]                 PCI Segment Number : 0000
[0008]              Register Base Address : 00000000FED90000

[0001]                  Device Scope Type : 01 [PCI Endpoint Device]
[0001]                       Entry Length : 08
[0002]                           Reserved : 0000
[0001]                     Enumeration ID : 00
[0001]                     PCI Bus Number : 00

[0002]                           PCI Path : 02,00


/* DRHD1: the catch-all unit for segment 0 (INCLUDE_PCI_ALL) */
[0002]                      Subtable Type : 0000 [Hardware Unit Definition]
[0002]                             Length : 0020

[0001]                              Flags : 01
[0001]                           Reserved : 00
[0002]                 PCI Segment Number : 0000
[0008]              Register Base Address : 00000000FED91000

[0001]                  Device Scope Type : 03 [IOAPIC Device]
[0001]                       Entry Length : 08
[0002]                           Reserved : 0000
[0001]                     Enumeration ID : 08
[0001]                     PCI Bus Number : F0

[0002]                           PCI Path : 1F,00

[0001]                  Device Scope Type : 04 [Message-capable HPET Device]
[0001]                       Entry Length : 08
[0002]                           Reserved : 0000
[0001]                     Enumeration ID : 00
[0001]                     PCI Bus Number : 00

[0002]                           PCI Path : 1F,00


/* RMRR: memory the USB controller 00:14.0 uses before the OS takes over */
[0002]                      Subtable Type : 0001 [Reserved Memory Region]
[0002]                             Length : 0020

[0002]                           Reserved : 0000
[0002]                 PCI Segment Number : 0000
[0008]                       Base Address : 000000007B800000
[0008]                End Address (limit) : 000000007FFFFFFF

[0001]                  Device Scope Type : 01 [PCI Endpoint Device]
[0001]                       Entry Length : 08
[0002]                           Reserved : 0000
[0001]                     Enumeration ID : 00
[0001]                     PCI Bus Number : 00

[0002]                           PCI Path : 14,00
