"""Words every page shares, each as (English, 中文)."""

TEXTS = {
    "app_title": ("# AIGC Studio", "# AIGC 创作工坊"),
    "app_tagline": (
        "Play with small generative models that run live on this machine: pictures, text, speech, and "
        "models you train yourself.",
        "在本机实时体验小型生成模型：图像、文本、语音，以及你亲手训练的模型。",
    ),
    "nav_label": ("Pages", "页面"),
    "link_copy": ("Copy link", "复制链接"),
    "link_label": (
        "Link to exactly this (copied when your browser allows)",
        "打开即为此刻状态的链接（浏览器允许时已复制）",
    ),
    "copies_none": (
        "**Is it a copy?** No span of {least}+ characters of it is in the {learned} characters the model "
        "learned from.",
        "**是抄的吗？** 在模型学过的 {learned} 个字符里，没有找到其中任何 {least} 个字符以上的相同片段。",
    ),
    "copies_found": (
        "**Is it a copy?** {count} span(s) of {least}+ characters are word for word from the text the "
        "model learned from:",
        "**是抄的吗？** 有 {count} 段 {least} 个字符以上的文字与模型学过的文本一字不差：",
    ),
    "copies_span": ("“{span}” — from {source}", "“{span}” —— 出自 {source}"),
    "copies_unavailable": (
        "**Is it a copy?** This server does not hold the text this model learned from, so it cannot say.",
        "**是抄的吗？** 本服务器没有这个模型学过的文本，无法判断。",
    ),
}
