//! Escaping of text tasklint prints.
//!
//! - [`github_data`], [`github_property`]: GitHub's own escaping of workflow
//!   command messages and property values, which the runner undoes.

/// GitHub's escaping of a workflow command's message: `%`, CR and LF.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a property value: as a message, plus `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes() {
        assert_eq!(github_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
