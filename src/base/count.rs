//! Counts in messages, in the singular for one: `1 finding`, `2 findings`.

pub fn plural(n: impl Into<u64>, word: &str) -> String {
    match n.into() {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::plural(1u32, "byte"), "1 byte");
        assert_eq!(super::plural(0u32, "byte"), "0 bytes");
        assert_eq!(super::plural(10_485_760u64, "byte"), "10485760 bytes");
    }
}
