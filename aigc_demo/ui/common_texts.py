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
}
