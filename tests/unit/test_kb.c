/*
 * core/kb: the knowledge base's Markdown is rendered safe whatever it holds,
 * and its search text folds case the same way in every script it knows, so
 * a query finds an article however either was capitalised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/kb.h"
#include "util/buf.h"

#define S(x) x, strlen(x)

static void
render_is(const char *md, const char *want)
{
	char *html = kb_render(S(md));

	assert_non_null(html);
	assert_string_equal(html, want);
	free(html);
}

static void
markdown_renders_to_html(void **state)
{
	(void)state;
	render_is("# Title\n\n**bold** _it_", "<h1>Title</h1>\n<p><strong>bold</strong> "
	    "<em>it</em></p>\n");
	render_is("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n");
	render_is("a & b < c", "<p>a &amp; b &lt; c</p>\n");
}

static void
raw_html_and_dangerous_links_are_dropped(void **state)
{
	(void)state;
	render_is("<script>alert(1)</script>", "<!-- raw HTML omitted -->\n");
	render_is("x <b onmouseover=alert(1)>y</b>",
	    "<p>x <!-- raw HTML omitted -->y<!-- raw HTML omitted --></p>\n");
	render_is("[a](javascript:alert(1))", "<p><a href=\"\">a</a></p>\n");
	render_is("[a](  jAvAsCrIpT:alert(1))", "<p><a href=\"\">a</a></p>\n");
	render_is("[a](file:///etc/passwd)", "<p><a href=\"\">a</a></p>\n");
	render_is("![a](data:text/html,<script>)", "<p><img src=\"\" alt=\"a\" /></p>\n");
	render_is("![a](data:image/png;base64,iVBORw0KGgo=)",
	    "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"a\" /></p>\n");
	render_is("<https://example.com/?q=\"x\">",
	    "<p><a href=\"https://example.com/?q=%22x%22\">https://example.com/?q=&quot;x&quot;</a></p>\n");
}

static void
fold_is(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(kb_fold(S(in), &b), 0);
	assert_int_equal(b.len, strlen(want));
	if (b.len > 0)
		assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
search_text_folds_case_in_latin_greek_and_cyrillic(void **state)
{
	(void)state;
	fold_is("Refund POLICY", "refund policy");
	fold_is("ÄÖÜ Ç É ß ×", "äöü ç é ß ×");
	fold_is("ΑΒΓ Ωμέγα", "αβγ ωμέγα");
	fold_is("ВОЗВРАТ Ёлка ЇЖ", "возврат ёлка їж");
	fold_is("返金の手順 ＡＢ", "返金の手順 ＡＢ");	/* other scripts as written */
	fold_is("", "");
}

static void
fold_stops_at_the_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(kb_fold(S("abcdef"), &b), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(markdown_renders_to_html),
		cmocka_unit_test(raw_html_and_dangerous_links_are_dropped),
		cmocka_unit_test(search_text_folds_case_in_latin_greek_and_cyrillic),
		cmocka_unit_test(fold_stops_at_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
