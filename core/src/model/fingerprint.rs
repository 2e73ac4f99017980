//! Deterministic 128-bit fingerprints of anything that derives `Serialize`, and interning
//! tables built on them.
//!
//! The protocol's types already derive `Serialize` for the trace, so a serde `Serializer` that
//! feeds a hash instead of writing bytes fingerprints a `Monitor` or a `Msg` without touching
//! the protocol's code. The encoding is prefix-free (lengths before contents, variant indexes
//! for enums), so two different values hash alike only by a 2^-128-ish accident. No seed comes
//! from the OS: the same value has the same fingerprint on every run and every machine.

use serde::ser::{self, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// A struct field that fingerprints leave out: a monitor's `config`, shared by every monitor
/// of a model.
pub const SKIPPED_FIELD: &str = "config";

/// Two independent 64-bit lanes, each a multiply-rotate mix over 64-bit words.
#[derive(Clone, Copy)]
struct Lanes {
    a: u64,
    b: u64,
}

const KA: u64 = 0x9E37_79B9_7F4A_7C15;
const KB: u64 = 0xC2B2_AE3D_27D4_EB4F;

impl Lanes {
    fn new() -> Self {
        Lanes {
            a: 0x243F_6A88_85A3_08D3,
            b: 0x1319_8A2E_0370_7344,
        }
    }
    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(KA).rotate_left(27);
        self.b = (self.b ^ w.rotate_left(32))
            .wrapping_mul(KB)
            .rotate_left(31);
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(buf));
        }
    }
    fn finish(self) -> u128 {
        ((fmix(self.a ^ self.b.rotate_left(17)) as u128) << 64)
            | fmix(self.b ^ self.a.rotate_left(41)) as u128
    }
}

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// The fingerprint of `value`.
pub fn fingerprint<T: Serialize + ?Sized>(value: &T) -> u128 {
    let mut h = FpSerializer {
        lanes: Lanes::new(),
    };
    value.serialize(&mut h).expect("fingerprinting cannot fail");
    h.lanes.finish()
}

/// A fingerprint of raw words (for the explorer's compact states).
pub fn fingerprint_words(words: impl IntoIterator<Item = u64>) -> u128 {
    let mut lanes = Lanes::new();
    for w in words {
        lanes.word(w);
    }
    lanes.finish()
}

#[derive(Debug)]
pub struct Never;
impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreachable")
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        Never
    }
}

struct FpSerializer {
    lanes: Lanes,
}

type Res = Result<(), Never>;

impl ser::Serializer for &mut FpSerializer {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Res {
        self.lanes.word(v as u64);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Res {
        self.serialize_i64(v as i64)
    }
    fn serialize_i16(self, v: i16) -> Res {
        self.serialize_i64(v as i64)
    }
    fn serialize_i32(self, v: i32) -> Res {
        self.serialize_i64(v as i64)
    }
    fn serialize_i64(self, v: i64) -> Res {
        self.lanes.word(v as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Res {
        self.serialize_u64(v as u64)
    }
    fn serialize_u16(self, v: u16) -> Res {
        self.serialize_u64(v as u64)
    }
    fn serialize_u32(self, v: u32) -> Res {
        self.serialize_u64(v as u64)
    }
    fn serialize_u64(self, v: u64) -> Res {
        self.lanes.word(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Res {
        self.lanes.word(v as u64);
        self.lanes.word((v >> 64) as u64);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Res {
        self.serialize_u64(v.to_bits() as u64)
    }
    fn serialize_f64(self, v: f64) -> Res {
        self.serialize_u64(v.to_bits())
    }
    fn serialize_char(self, v: char) -> Res {
        self.serialize_u64(v as u64)
    }
    fn serialize_str(self, v: &str) -> Res {
        self.lanes.bytes(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Res {
        self.lanes.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> Res {
        self.lanes.word(0);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Res {
        self.lanes.word(1);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Res {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Res {
        self.lanes.word(index as u64);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Res {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Res {
        self.lanes.word(index as u64);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        self.lanes.word(len.map_or(u64::MAX, |l| l as u64));
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, Never> {
        self.lanes.word(index as u64);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.lanes.word(len.map_or(u64::MAX, |l| l as u64));
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, Never> {
        self.lanes.word(index as u64);
        Ok(self)
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl<'a> ser::$trait for &'a mut FpSerializer {
            type Ok = ();
            type Error = Never;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Res {
                value.serialize(&mut **self)
            }
            fn end(self) -> Res {
                Ok(())
            }
        }
    };
}
compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for &mut FpSerializer {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Res {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Res {
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut FpSerializer {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Res {
        // Every monitor of a model runs the one configuration (`Model::protocol`): hashing
        // it into every monitor's fingerprint would only cost time (it was a tenth of the
        // explorer's).
        if key == SKIPPED_FIELD {
            return Ok(());
        }
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut FpSerializer {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _key: &'static str, value: &T) -> Res {
        value.serialize(&mut **self)
    }
    fn end(self) -> Res {
        Ok(())
    }
}

/// A `Hasher` for keys that already are fingerprints: it keeps their low 64 bits. Fixed, so
/// table behaviour never depends on a random seed (nothing iterates these tables anyway).
#[derive(Default)]
pub struct FpHasher(u64);

impl Hasher for FpHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ *b as u64;
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

pub type FpBuild = BuildHasherDefault<FpHasher>;
pub type FpSet = std::collections::HashSet<u128, FpBuild>;

/// Distinct values, each stored once and named by a dense id (hash-consing): a model state
/// holds three monitor ids instead of three monitors, so millions of states fit in memory.
pub struct Interner<T> {
    ids: HashMap<u128, u32, FpBuild>,
    /// Address of a stored `Rc` -> its id: a value taken from the table and handed back
    /// unchanged is found without hashing it again. Only addresses of Rcs the table keeps
    /// alive are recorded, so an address is never reused for another value.
    by_addr: HashMap<usize, u32, std::hash::BuildHasherDefault<AddrHasher>>,
    items: Vec<Rc<T>>,
}

/// Spreads an address over 64 bits (for the `by_addr` table).
#[derive(Default)]
pub struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        fmix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ *b as u64;
        }
    }
    fn write_usize(&mut self, v: usize) {
        self.0 = v as u64;
    }
}

impl<T: Serialize> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            ids: HashMap::default(),
            by_addr: HashMap::default(),
            items: Vec::new(),
        }
    }
}

impl<T: Serialize> Interner<T> {
    pub fn intern(&mut self, item: &Rc<T>) -> u32 {
        let addr = Rc::as_ptr(item) as usize;
        if let Some(id) = self.by_addr.get(&addr) {
            return *id;
        }
        let fp = fingerprint(&**item);
        if let Some(id) = self.ids.get(&fp) {
            return *id;
        }
        let id = u32::try_from(self.items.len()).expect("fewer than 2^32 distinct values");
        self.items.push(item.clone());
        self.ids.insert(fp, id);
        self.by_addr.insert(addr, id);
        id
    }
    pub fn get(&self, id: u32) -> &Rc<T> {
        &self.items[id as usize]
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn equal_values_share_a_fingerprint_and_different_ones_do_not() {
        let a: BTreeMap<u64, String> = [(1, "x".to_string()), (2, "y".to_string())].into();
        let b = a.clone();
        let mut c = a.clone();
        c.insert(2, "z".into());
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        // Prefix-freeness: ["ab", ""] and ["a", "b"] must differ.
        assert_ne!(fingerprint(&vec!["ab", ""]), fingerprint(&vec!["a", "b"]));
        assert_ne!(
            fingerprint(&(Some(0u64), 0u64)),
            fingerprint(&(None::<u64>, 0u64))
        );
    }

    #[test]
    fn interning_gives_one_id_per_distinct_value() {
        let mut t: Interner<Vec<u8>> = Interner::default();
        let x = t.intern(&Rc::new(vec![1, 2]));
        let y = t.intern(&Rc::new(vec![1, 2]));
        let z = t.intern(&Rc::new(vec![2, 1]));
        let again = t.get(x).clone();
        assert_eq!(t.intern(&again), x);
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_eq!(t.len(), 2);
    }
}
